"""LISEZMOI.md: the human-readable description of the archive, generated from the models.

Generated from the same registry the exporter walks, so it always lists every file and every field
actually written. It holds no data (only the organisation's name), so it never changes between two
exports of the same organisation.
"""

from django.db import models

from .registry import NATURAL_KEYS, ORGANISATION_FIELDS, REFERENCE_DATA, USER_FIELDS, Table, owned_tables

INTRO = """# Archive de réversibilité Patrimoine — {name}

Cette archive contient toutes les données que la collectivité « {name} » (identifiant `{slug}`)
possède dans Patrimoine, dans des formats ouverts, pour les reprendre dans un autre outil ou les
recharger dans une autre instance de Patrimoine (`manage.py import_tenant <archive>`).

## Principes

- **Une table par fichier**, en JSON Lines (`donnees/<application>.<modèle>.jsonl` : une ligne = un
  objet JSON = un enregistrement) et en CSV (`csv/<application>.<modèle>.csv` : séparateur `;`,
  UTF-8 avec BOM, première ligne = noms des champs, cellules JSON pour les champs structurés).
- Ordre stable : par identifiant (`id`), ou par contenu pour les tables sans identifiant propre.
- Identifiants : `id` est un UUID, conservé à l'import quand il est libre sur l'instance cible.
  Une clé étrangère vers une autre table de l'archive contient l'UUID de l'enregistrement visé.
- Données de référence désignées par une **clé naturelle** : un utilisateur par son identifiant de
  connexion (`username`), une collectivité par son identifiant court (`slug`), un corps de métier,
  une catégorie d'équipement ou un contrôle réglementaire par son `code`, un type d'objet par
  `application.modèle`.
- Dates et heures en ISO 8601 (UTC pour les horodatages), montants et quantités en nombres décimaux
  écrits en texte avec un point (`1234.50`), booléens `true`/`false`, vide = `null`.
- Fichiers joints (photos, documents, signatures) dans `fichiers/<table>/<id>/<champ>.<extension>` ;
  le champ de l'enregistrement contient ce chemin.
- `manifest.json` donne, pour chaque fichier, sa taille et son empreinte SHA-256, et le nombre de
  lignes de chaque fichier JSON Lines. L'import vérifie tout avant d'écrire quoi que ce soit.

## Ce qui appartient à la collectivité

Un enregistrement appartient à la collectivité quand son champ `organisation` la désigne (plus les
membres de ses équipes et les liens entre ses enregistrements). Les équipes mutualisées, le magasin
et le catalogue de l'EPCI, et les relevés de refacturation qu'il émet appartiennent à l'EPCI, même
quand ils concernent la commune : l'archive d'une commune n'en contient qu'une **référence externe**
(`references/externes.jsonl`), l'archive de l'EPCI les contient en entier. Pour déménager toute
une agglomération, importer les communes puis l'EPCI.

Ne sont pas dans l'archive : les mots de passe (les comptes recréés à l'import n'ont pas de mot de
passe utilisable), les préférences de notification personnelles, les sessions, les tâches de fond,
et les archives de réversibilité elles-mêmes.

"""


def readme(organisation) -> str:
    parts = [INTRO.format(name=organisation.name, slug=organisation.slug)]
    parts.append(_fixed_sections())
    parts.append("## Tables de la collectivité\n")
    for table in owned_tables():
        parts.append(_table_section(table))
    return "\n".join(parts)


def _fixed_sections() -> str:
    lines = [
        "## Fichiers généraux\n",
        "### `manifest.json`\n",
        "Format (`format`, `version`), collectivité, date d'export, `comptes` (lignes par fichier JSON Lines),",
        "`fichiers` (chemin → `sha256`, `octets`), `fichiers_absents` (pièces jointes introuvables au moment de",
        "l'export).\n",
        "### `collectivite.json`\n",
        "La collectivité exportée : " + ", ".join(f"`{n}`" for n in ORGANISATION_FIELDS) + ",",
        "`address`, `email`, `phone`, `overhead_rate` (taux de frais généraux, %), `is_active`, `parent`",
        "(identifiant court de l'EPCI de rattachement).\n",
        "### `references/organisations.organisation.jsonl`\n",
        "Les autres collectivités citées (EPCI de rattachement, communes servies ou facturées) : "
        + ", ".join(f"`{n}`" for n in ORGANISATION_FIELDS)
        + ". Absentes de l'instance cible, elles y sont créées inactives et vides.\n",
        "### `references/accounts.user.jsonl`\n",
        "Les personnes citées (membres, techniciens, auteurs) : " + ", ".join(f"`{n}`" for n in USER_FIELDS) + ".",
        "Sans mot de passe. À l'import : retrouvées par `username`, sinon par courriel, sinon créées sans",
        "mot de passe utilisable.\n",
    ]
    from django.apps import apps

    for label in REFERENCE_DATA:
        model = apps.get_model(label)
        lines.append(f"### `references/{label}.jsonl` — {model._meta.verbose_name_plural}\n")
        lines.append(f"Liste de référence nationale, clé naturelle `{NATURAL_KEYS[label]}` ; créée si absente.\n")
        lines.extend(_field_lines(model, [f for f in model._meta.concrete_fields if not f.primary_key]))
        lines.extend(f"- `{m.name}` : {m.verbose_name} (liste de codes)" for m in model._meta.many_to_many)
        lines.append("")
    lines += [
        "### `references/externes.jsonl`\n",
        "Les enregistrements d'AUTRES collectivités vers lesquels pointent les données (équipe mutualisée",
        "de l'EPCI, article de son magasin, bon de travail d'une commune facturé par l'EPCI) :",
        "`modele`, `id`, `collectivite` (identifiant court), `cle` (clé naturelle dans cette collectivité),",
        "`libelle`, `champs` (de quoi recréer une coquille d'équipe ou d'article). À l'import : retrouvés",
        "par `id` puis par clé ; une équipe ou un article absents sont recréés vides ; un autre lien",
        "introuvable est laissé vide, ou la ligne qui l'exige est écartée (compte rendu d'import).\n",
    ]
    return "\n".join(lines)


def _table_section(table: Table) -> str:
    meta = table.model._meta
    lines = [
        f"### `{table.data_path}` et `{table.csv_path}` — {meta.verbose_name_plural}\n",
    ]
    lines.append(f"Table `{meta.db_table}` de la base de Patrimoine.\n")
    if table.uuid_pk:
        lines.append("- `id` : identifiant (UUID)")
    else:
        lines.append("Pas d'identifiant propre : chaque ligne est repérée par son contenu.\n")
    lines.extend(_field_lines(table.model, [c.field for c in table.columns]))
    lines.append("")
    return "\n".join(lines)


def _field_lines(model, fields) -> list[str]:
    lines = []
    for f in fields:
        text = f"- `{f.name}` : {f.verbose_name}"
        if f.is_relation:
            target = f.related_model._meta
            key = NATURAL_KEYS.get(target.label_lower)
            how = f"`{key}`" if key else ("`application.modèle`" if target.label_lower in NATURAL_KEYS else "`id`")
            text += f" → {target.verbose_name} ({how})"
        elif isinstance(f, models.FileField):
            text += " (chemin du fichier dans l'archive)"
        elif f.choices:
            text += " — valeurs : " + ", ".join(f"`{value}` ({label})" for value, label in f.flatchoices)
        else:
            text += f" ({_type(f)})"
        if f.null:
            text += ", peut être vide"
        lines.append(text)
    return lines


def _type(f) -> str:
    kinds = {
        models.DateTimeField: "date et heure ISO 8601, UTC",
        models.DateField: "date AAAA-MM-JJ",
        models.TimeField: "heure HH:MM:SS",
        models.DurationField: "durée ISO 8601",
        models.DecimalField: "nombre décimal en texte",
        models.BooleanField: "booléen",
        models.JSONField: "JSON",
        models.UUIDField: "UUID",
        models.IntegerField: "entier",
        models.FloatField: "nombre",
    }
    for kind, label in kinds.items():
        if isinstance(f, kind):
            return label
    return "texte"
