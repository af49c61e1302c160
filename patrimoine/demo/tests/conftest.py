"""The demo, seeded once for the whole package (twice, to prove that a second run creates nothing)
inside a transaction rolled back at the end, so that other packages never see it; each test runs in
its own savepoint on top. Seeding costs seconds: both test modules share it."""

import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django_scopes import scopes_disabled

from patrimoine.accounts.models import User
from patrimoine.assets.models import Building, Equipment, Level, Site, Space
from patrimoine.budgets.models import BudgetLine
from patrimoine.contractors.models import Contractor
from patrimoine.core.models import ReferenceSequence
from patrimoine.costs.models import ExternalCost, LabourRate, MaterialLine, TimeEntry
from patrimoine.intake.models import RequesterBuilding, WorkRequest
from patrimoine.organisations.models import Membership, Organisation, Team, TeamMember
from patrimoine.purchasing.models import Contract, Invoice, PurchaseOrder
from patrimoine.stock.models import Item, StockLevel, StockMovement, Store
from patrimoine.workorders.models import InterventionReport, WorkOrder, WorkOrderTechnician, WorkOrderTransition

COUNTED = [
    Organisation,
    User,
    Membership,
    Team,
    TeamMember,
    LabourRate,
    Item,
    Contractor,
    Site,
    Building,
    Level,
    Space,
    Equipment,
    RequesterBuilding,
    WorkRequest,
    WorkOrder,
    WorkOrderTransition,
    TimeEntry,
    MaterialLine,
    ExternalCost,
    InterventionReport,
    WorkOrderTechnician,
    ReferenceSequence,
    # The money side (demo/finance.py).
    Store,
    StockLevel,
    StockMovement,
    Contract,
    PurchaseOrder,
    Invoice,
    BudgetLine,
]


def counts() -> dict[str, int]:
    """Rows of every kind the demo creates (and the sum of the numbering sequences)."""
    with scopes_disabled():
        found = {model.__name__: model._base_manager.count() for model in COUNTED}
        found["Contractor.trades"] = Contractor.trades.through.objects.count()
        found["Team.served_organisations"] = Team.served_organisations.through.objects.count()
        found["sequence values"] = sum(ReferenceSequence.objects.values_list("last_value", flat=True))
    return found


@pytest.fixture(scope="package")
def seeded_twice(django_db_setup, django_db_blocker):
    """What each run of seed_demo printed, and the counts after each."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
    ):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            first_output, second_output = io.StringIO(), io.StringIO()
            call_command("seed_demo", stdout=first_output)
            after_first = counts()
            call_command("seed_demo", stdout=second_output)
            yield {
                "after_first": after_first,
                "after_second": counts(),
                "first_output": first_output.getvalue(),
                "second_output": second_output.getvalue(),
            }
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
