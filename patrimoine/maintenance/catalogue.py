"""The statutory catalogue: loading the reviewed CSV, and which checks a building needs.

`data/statutory_checks.csv` is the source (one row per check, from /work/shared/REFERENCE.md: legal
basis, periodicity as an RFC 5545 rule, who may do it, equipment categories, ERP types/categories,
source, and a « to verify » flag where the text was not checked on Légifrance). `load_catalogue`
upserts it by code — idempotent — and deactivates checks that left the file (plans keep them).
It runs from a data migration and from `manage.py load_catalogue`.
"""

import csv
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps as global_apps
from django.utils.translation import gettext as _

CSV_PATH = Path(__file__).resolve().parent / "data" / "statutory_checks.csv"
FIELDS = (
    "code",
    "domain",
    "label",
    "legal_reference",
    "rrule",
    "periodicity",
    "performer",
    "scope",
    "erp_types",
    "erp_categories",
    "categories",
    "built_before",
    "min_surface_m2",
    "condition",
    "trade",
    "checklist",
    "source_url",
    "to_verify",
)


def read_rows(path: Path = CSV_PATH) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for number, row in enumerate(rows, start=2):
        missing = [name for name in FIELDS if row.get(name) is None]
        if missing or None in row:
            raise ValueError(f"{path.name}, ligne {number} : colonnes manquantes ou en trop ({', '.join(missing)})")
    return rows


def load_catalogue(apps=global_apps, schema_editor=None, *, path: Path = CSV_PATH) -> dict[str, int]:
    """Create or update every check of the CSV; deactivate the others. Returns counts."""
    Check = apps.get_model("maintenance", "StatutoryCheck")
    Category = apps.get_model("assets", "EquipmentCategory")
    Trade = apps.get_model("organisations", "Trade")
    categories = {c.code: c for c in Category.objects.all()}
    trades = {t.code: t for t in Trade.objects.all()}
    counts = {"created": 0, "updated": 0, "deactivated": 0}
    codes = []
    for position, row in enumerate(read_rows(path), start=1):
        code = row["code"].strip()
        codes.append(code)
        wanted = [c for c in row["categories"].split() if c]
        unknown = [c for c in wanted if c not in categories]
        if unknown or row["trade"] not in trades:
            raise ValueError(f"{code} : catégorie ou métier inconnu ({', '.join(unknown) or row['trade']})")
        check, created = Check.objects.update_or_create(
            code=code,
            defaults={
                "position": position,
                "domain": row["domain"].strip(),
                "label": row["label"].strip(),
                "legal_reference": row["legal_reference"].strip(),
                "rrule": row["rrule"].strip(),
                "periodicity": row["periodicity"].strip(),
                "performer": row["performer"].strip(),
                "scope": row["scope"].strip(),
                "erp_types": row["erp_types"].strip(),
                "erp_categories": row["erp_categories"].strip(),
                "built_before": int(row["built_before"]) if row["built_before"].strip() else None,
                "min_surface_m2": int(row["min_surface_m2"]) if row["min_surface_m2"].strip() else None,
                "condition": row["condition"].strip(),
                "trade": trades[row["trade"]],
                "checklist": "\n".join(p.strip() for p in row["checklist"].split("|") if p.strip()),
                "source_urls": row["source_url"].strip(),
                "to_verify": row["to_verify"].strip() == "yes",
                "is_active": True,
            },
        )
        check.categories.set([categories[c] for c in wanted])
        counts["created" if created else "updated"] += 1
    counts["deactivated"] = Check.objects.exclude(code__in=codes).filter(is_active=True).update(is_active=False)
    return counts


# --- Which checks a building needs -------------------------------------------------------------


@dataclass
class Proposal:
    """A check the catalogue proposes for a building, ticked when nothing is left to verify."""

    check: object
    reasons: list[str] = field(default_factory=list)
    doubts: list[str] = field(default_factory=list)
    existing_plan: object = None
    no_equipment: bool = False  # the check targets equipment the building has none of (on record)

    @property
    def ticked(self) -> bool:
        return not self.doubts and self.existing_plan is None

    @property
    def required(self) -> bool:
        """Counted as « non planifié » on the compliance view when no plan covers it."""
        return not self.doubts


DOUBT = "?"  # a doubt not written out (proposals_for without `explain`)


def ordinal(number) -> str:
    return _("1re") if number == 1 else _("%(n)se") % {"n": number}


def proposals_for(
    building, checks, categories_present: set[str], existing_plans: dict | None = None, *, explain: bool = True
) -> list[Proposal]:
    """The catalogue's checks that apply to `building`, given the codes of the equipment categories
    in service in it. `existing_plans` maps a check id to the building's active plan for it. Without
    `explain` (an organisation's compliance counts, thousands of buildings × checks) the reasons are
    not written and the doubts are only marked: what applies and what is required stay the same."""
    existing_plans = existing_plans or {}
    proposals = []
    for check in checks:
        proposal = _proposal(building, check, categories_present, explain)
        if proposal is not None:
            proposal.existing_plan = existing_plans.get(check.pk)
            proposals.append(proposal)
    return proposals


def _wanted(check) -> dict[str, str]:
    """The equipment categories a check applies to, {code: name}, read once per check object."""
    if "_wanted" not in check.__dict__:
        check.__dict__["_wanted"] = {c.code: c.name for c in check.categories.all()}
    return check.__dict__["_wanted"]


def _proposal(building, check, categories_present: set[str], explain: bool = True) -> Proposal | None:
    Scope = type(check).Scope
    if not check.is_active or check.scope == Scope.MANUAL:
        return None
    proposal = Proposal(check)
    if check.scope == Scope.ERP:
        if not building.is_erp:
            return None
        types = check.erp_type_list
        if types and "*" not in types and building.erp_type not in types:
            return None
        categories = check.erp_category_list
        if categories and building.erp_category not in categories:
            return None
        if explain:
            proposal.reasons.append(
                _("ERP de type %(type)s, %(category)s catégorie")
                % {"type": building.erp_type, "category": ordinal(building.erp_category)}
            )
    elif check.scope == Scope.NON_ERP and building.is_erp:
        return None
    if check.built_before:
        if building.construction_year is None:
            proposal.doubts.append(
                _("Année de construction inconnue (avant %(year)s ?)") % {"year": check.built_before}
                if explain
                else DOUBT
            )
        elif building.construction_year >= check.built_before:
            return None
        elif explain:
            proposal.reasons.append(_("Construit en %(year)s") % {"year": building.construction_year})
    if check.min_surface_m2:
        if building.surface_m2 is None:
            proposal.doubts.append(
                _("Surface inconnue (%(m2)s m² ou plus ?)") % {"m2": check.min_surface_m2} if explain else DOUBT
            )
        elif building.surface_m2 < check.min_surface_m2:
            return None
        elif explain:
            proposal.reasons.append(_("%(m2)s m²") % {"m2": int(building.surface_m2)})
    wanted = _wanted(check)
    if wanted:
        present = sorted(name for code, name in wanted.items() if code in categories_present)
        if present:
            if explain:
                proposal.reasons.append(_("Équipements : %(names)s") % {"names": ", ".join(present)})
        else:
            proposal.no_equipment = True
            proposal.doubts.append(
                _("Aucun équipement « %(names)s » enregistré dans ce bâtiment")
                % {"names": " » ou « ".join(sorted(wanted.values()))}
                if explain
                else DOUBT
            )
    if check.condition:
        proposal.doubts.append(_("À vérifier : %(condition)s") % {"condition": check.condition} if explain else DOUBT)
    return proposal
