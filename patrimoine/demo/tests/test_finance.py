"""The demo's money side (demo/finance.py): a consistent stock ledger, orders at every status seen
only by their company, budgets with an alert, and a second run that creates nothing."""

import pytest
from django.db.models import Count, Sum
from django_scopes import scope, scopes_disabled

from conftest import access_of
from patrimoine.accounts.models import User
from patrimoine.budgets.selectors import budget_alerts
from patrimoine.costs.models import MaterialLine
from patrimoine.purchasing.models import PurchaseOrder
from patrimoine.purchasing.selectors import purchase_orders_visible_to
from patrimoine.stock.models import StockLevel, StockMovement

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(seeded_twice):
    return seeded_twice


def test_second_run_creates_no_store_order_or_budget(seeded, db):
    assert seeded["after_second"] == seeded["after_first"]
    assert seeded["after_first"]["Store"] == 5 and seeded["after_first"]["StockMovement"] > 300


def test_every_stock_row_is_the_sum_of_its_ledger(seeded, db):
    with scopes_disabled():
        sums = {
            (row["store_id"], row["item_id"]): row["total"]
            for row in StockMovement.objects.values("store_id", "item_id").annotate(total=Sum("quantity"))
        }
        for level in StockLevel.objects.all():
            assert level.quantity == sums.get((level.store_id, level.item_id), 0), level
            last = (
                StockMovement.objects.filter(store_id=level.store_id, item_id=level.item_id)
                .order_by("-at", "-created_at")
                .first()
            )
            if last is not None:
                assert last.quantity_after == level.quantity
        assert not StockLevel.objects.filter(quantity__lt=0).exists()


def test_issues_are_the_material_lines_of_the_work_orders(seeded, db):
    with scopes_disabled():
        issues = StockMovement.objects.filter(kind=StockMovement.Kind.ISSUE)
        lines = {line.pk: line for line in MaterialLine.objects.filter(pk__in=issues.values("material_line_id"))}
        assert len(lines) == issues.count() > 300
        for issue in issues:
            line = lines[issue.material_line_id]
            assert (issue.work_order_id, issue.item_id, -issue.quantity, -issue.amount) == (
                line.work_order_id,
                line.item_id,
                line.quantity,
                line.amount,
            )


def test_orders_at_every_status_and_each_company_sees_its_own(seeded, db):
    with scopes_disabled():
        statuses = PurchaseOrder.objects.values("organisation_id").annotate(n=Count("status", distinct=True))
        assert all(row["n"] == 5 for row in statuses) and len(statuses) == 4
    for username in ("prestataire.epci", "prestataire.nesmy", "prestataire.venansault", "prestataire.aubigny"):
        access = access_of(User.objects.get(username=username))
        with scope(organisation=sorted(access.read_org_ids)):
            orders = list(purchase_orders_visible_to(access))
        assert orders, username
        assert {o.contractor_id for o in orders} == {access.contractor_id}
        assert PurchaseOrder.Status.DRAFT not in {o.status for o in orders}


def test_each_commune_has_a_budget_line_past_its_alert_threshold(seeded, db):
    for slug in ("epci", "nesmy", "venansault", "aubigny"):
        access = access_of(User.objects.get(username=f"gestionnaire.{slug}"))
        with scope(organisation=sorted(access.read_org_ids)):
            alerts = budget_alerts(access)
        assert [s.line.code for s in alerts] == ["011-6156"], slug
        assert alerts[0].remaining >= 0
