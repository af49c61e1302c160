"""`manage.py audit_verify`: walk the audit trail's hash chain; exit 1 naming the first broken entry."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from patrimoine.core.audit import verify_chain


class Command(BaseCommand):
    help = "Vérifie la chaîne d'empreintes du journal d'audit (code de sortie non nul si elle est rompue)."

    def handle(self, *args, **options):
        checked, broken = verify_chain()
        if broken is not None:
            when = f" du {timezone.localtime(broken.at):%d/%m/%Y %H:%M:%S}" if broken.at else ""
            raise CommandError(
                f"Journal d'audit altéré à l'entrée n° {broken.entry_id}{when} : {broken.reason} "
                f"({checked} entrées vérifiées avant elle)."
            )
        self.stdout.write(self.style.SUCCESS(f"Journal d'audit intact : {checked} entrées vérifiées."))
