"""`manage.py triage_eval cases.csv [--org <slug>]`: how well a model does on your own labelled cases.

The CSV is UTF-8, `;`-separated, with a header `text;trade;priority` (priority may be empty). Prints
JSON: top-1 and top-3 trade accuracy, priority accuracy, a per-trade breakdown, CPU time per
prediction (`time.process_time`, one request at a time). Without `--org`, the French starter model.
"""

import json

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scopes_disabled

from patrimoine.organisations.models import Organisation
from patrimoine.triage import predictors, selectors
from patrimoine.triage.engine import evaluate, read_labelled


class Command(BaseCommand):
    help = "Évalue le modèle de tri sur un fichier CSV étiqueté (text;trade;priority) et affiche du JSON."

    def add_arguments(self, parser):
        parser.add_argument("path", help="fichier CSV UTF-8, séparé par des points-virgules")
        parser.add_argument("--org", help="identifiant (slug) de la collectivité dont on évalue le modèle")

    def handle(self, *args, path, org=None, **options):
        try:
            rows = read_labelled(path)
        except FileNotFoundError as error:
            raise CommandError(f"Fichier introuvable : {path}") from error
        except (ValueError, UnicodeDecodeError) as error:
            raise CommandError(
                f"Fichier illisible ({error}) : attendu UTF-8, « ; », en-tête text;trade;priority"
            ) from error
        if not rows:
            raise CommandError("Le fichier ne contient aucune ligne étiquetée.")
        if org:
            with scopes_disabled():
                organisation = Organisation.objects.filter(slug=org).first()
            if organisation is None:
                raise CommandError(f"Collectivité inconnue : {org}")
            model, source = selectors.model_for(organisation.pk)
        else:
            model, source = predictors.starter_model(), "starter"
        label = {"urgente": "urgente", "normale": "normale", "basse": "basse"}
        rows = [(text, trade, label.get(priority.lower(), priority.lower())) for text, trade, priority in rows]
        result = {"file": str(path), "organisation": org, "model": source, **evaluate(model, rows)}
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
