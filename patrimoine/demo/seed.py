"""`seed_demo`: the whole demo agglomeration, idempotent.

Reference data, people and the asset registry are created row by row where missing (natural keys:
slugs, usernames, codes), so a second run finds them and creates nothing. The work history and this
week's story are written once, when none of the demo organisations has a work order or a request yet.
Everything runs in one transaction inside `scopes_disabled()` (a trusted command).
"""

import random
import time
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from patrimoine.accounts.models import User
from patrimoine.assets.models import Building, Equipment, Site
from patrimoine.core.reference_data import load_reference_data
from patrimoine.core.services import audit_record
from patrimoine.costs.models import MaterialLine, TimeEntry
from patrimoine.demo.chargeback import issue_demo_statements
from patrimoine.demo.clock import at, monday_of
from patrimoine.demo.compliance import build_compliance
from patrimoine.demo.crew import Crew
from patrimoine.demo.data import organisations as people
from patrimoine.demo.finance import build_finance
from patrimoine.demo.history import build_history
from patrimoine.demo.open311 import build_open311
from patrimoine.demo.orders import Ledger
from patrimoine.demo.present import build_present
from patrimoine.demo.reference import Reference, build_reference
from patrimoine.demo.registry import Registry, build_registry
from patrimoine.demo.rows import ensure_rows, keep_given_timestamps
from patrimoine.intake.models import RequesterBuilding, WorkRequest
from patrimoine.organisations.models import Organisation
from patrimoine.reporting import rollups
from patrimoine.workorders.models import WorkOrder

SEED = 2026
HISTORY_ORDERS = 1850
HISTORY_DAYS = 730


@dataclass
class Summary:
    created_history: bool
    seconds: float
    counts: dict[str, int]

    def lines(self) -> list[str]:
        head = "Données de démonstration créées" if self.created_history else "Données de démonstration déjà présentes"
        counts = ", ".join(f"{n} {label}" for label, n in self.counts.items())
        return [
            f"{head} en {self.seconds:.1f} s : {counts}.",
            "Comptes : voir patrimoine/demo/ACCOUNTS.md (mot de passe : patrimoine).",
        ]


def seed_demo(now=None) -> Summary:
    """Load the demo; `now` (aware datetime) only to check the story on another day than today."""
    started = time.monotonic()
    now = now or timezone.now()
    today = timezone.localdate(now)
    history_start = today - timedelta(days=HISTORY_DAYS)
    years = list(range(history_start.year, today.year + 1))
    with scopes_disabled(), transaction.atomic(), keep_given_timestamps(), rollups.paused():
        load_reference_data()  # trades and categories, in case the tables were flushed rather than migrated
        ref = build_reference(years)
        registry = build_registry(ref, today)
        _requester_buildings(ref, registry)
        org_ids = [o.pk for o in ref.orgs.values()]
        fresh = not (
            WorkOrder.objects.filter(organisation_id__in=org_ids).exists()
            or WorkRequest.objects.filter(organisation_id__in=org_ids).exists()
        )
        if fresh:
            crew = Crew(ref, random.Random(SEED))  # noqa: S311 — deterministic demo data, not security
            ledger = Ledger()
            cutoff = at(monday_of(today), 0)
            build_history(ledger, crew, registry, start=history_start, end=cutoff, count=HISTORY_ORDERS)
            build_present(ledger, crew, registry, today=today, now=now)
            ledger.save()
            audit_record(
                actor=None,
                action="demo.seed",
                target=ref.orgs[people.EPCI],
                message="Données de démonstration chargées",
                data={"work_orders": len(ledger.orders), "work_requests": len(ledger.requests)},
            )
        build_compliance(ref, registry, today=today, now=now)
        build_finance(ref, now)  # stores, contracts, purchase orders, budgets (issue 5)
        issue_demo_statements(ref, now)  # last: it bills the orders every step above validated
        build_open311(ref)  # request types and a citizen app's key for each commune (issue 6)
        rollups.rebuild(org_ids)  # the dashboards' rollups, once the history is written
        counts = _counts(org_ids)
    return Summary(created_history=fresh, seconds=time.monotonic() - started, counts=counts)


def _requester_buildings(ref: Reference, registry: Registry) -> None:
    """Each demo requester reports for one building: the « Signaler » form pre-selects it."""
    wanted = []
    for username, building_name in people.REQUESTER_BUILDINGS.items():
        slug = username.split(".", 1)[1]
        building = registry.building(slug, building_name).building
        wanted.append(RequesterBuilding(organisation=ref.orgs[slug], user=ref.users[username], building=building))
    ensure_rows(
        RequesterBuilding,
        lambda r: (r.user_id, r.building_id),
        wanted,
        user_id__in=[r.user_id for r in wanted],
    )


def _counts(org_ids: list[int]) -> dict[str, int]:
    scope = {"organisation_id__in": org_ids}
    return {
        "collectivités": Organisation.objects.filter(pk__in=org_ids).count(),
        "utilisateurs": User.objects.filter(username__in=[a[0] for a in people.ACCOUNTS]).count() + 1,
        "sites": Site.objects.filter(**scope).count(),
        "bâtiments": Building.objects.filter(**scope).count(),
        "équipements": Equipment.objects.filter(**scope).count(),
        "demandes": WorkRequest.objects.filter(**scope).count(),
        "bons de travail": WorkOrder.objects.filter(**scope).count(),
        "temps passés": TimeEntry.objects.filter(**scope).count(),
        "lignes de matériel": MaterialLine.objects.filter(**scope).count(),
    }
