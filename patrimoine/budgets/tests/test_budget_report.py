"""Where a budget line stands, to the cent: committed (open purchase orders not yet invoiced),
realised (invoices + validated work orders charged to the line, without counting an invoice twice),
remaining; the rule that charges work orders to lines; alerts; rate snapshots across years."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from conftest import access_of
from patrimoine.budgets import services as budgets
from patrimoine.budgets.selectors import budget_alerts, budget_report, line_status
from patrimoine.core.errors import PermissionRefused
from patrimoine.costs import services as costs
from patrimoine.costs.models import TimeEntry
from patrimoine.organisations.models import TeamMember
from patrimoine.purchasing import services as purchasing
from patrimoine.purchasing.tests.conftest import THIS_YEAR, budget_line
from patrimoine.workorders.models import WorkOrder

pytestmark = pytest.mark.django_db
D = Decimal
PARIS = ZoneInfo("Europe/Paris")


def validated(f, shop, *, total, building=None, trade=None, year=THIS_YEAR, **extra):
    total = D(total)
    return f.work_order(
        shop["nesmy"],
        building_obj=building,
        trade_obj=trade,
        status=WorkOrder.Status.VALIDATED,
        validated_at=datetime(year, 3, 15, 10, tzinfo=PARIS),
        labour_cost=total,
        total_cost=total,
        **extra,
    )


def _committed_order(shop, lines, *, work_order=None, line=None):
    access = access_of(shop["manager"])
    with scopes_disabled():
        order = purchasing.purchase_order_create(
            access=access, title="Commande", lot=shop["lot"], work_order=work_order, budget_line=line
        )
        for code, quantity in lines:
            purchasing.purchase_order_line_add(
                access=access, order=order, price_line=shop["prices"][code], quantity=quantity
            )
        purchasing.purchase_order_commit(access=access, order=order)
    return order


def _report(shop, year=THIS_YEAR):
    with scopes_disabled():
        return budget_report(shop["nesmy"].pk, year)


def test_committed_realised_and_remaining_to_the_cent(f, shop):
    line = shop["maintenance"]  # 10 000,00 €
    work_order = shop["order"]
    order = _committed_order(shop, [("P7", "1"), ("P9", "1"), ("P1", "3.5")], work_order=work_order)  # 1 332,60 TTC
    with scopes_disabled():
        status = line_status(line)
    assert (status.committed, status.realised, status.remaining) == (D("1332.60"), D("0.00"), D("8667.40"))

    with scopes_disabled():
        purchasing.invoice_record(
            access=access_of(shop["manager"]),
            order=order,
            number="F-1",
            date=timezone.localdate(),
            amount_ht="500.00",
            amount_ttc="600.00",
        )
        # The work order also carries 96,40 € of labour and 12,75 € of material when it is validated:
        # its total is 709,15 €, of which the invoice's 600,00 € is already counted as realised.
        WorkOrder.objects.filter(pk=work_order.pk).update(
            status=WorkOrder.Status.VALIDATED,
            validated_at=timezone.now(),
            labour_cost=D("96.40"),
            material_cost=D("12.75"),
            total_cost=D("709.15"),
        )
        status = line_status(line)
    assert status.committed == D("732.60")  # 1 332,60 − 600,00 invoiced
    assert (status.invoiced, status.orders_cost) == (D("600.00"), D("109.15"))
    assert status.realised == D("709.15")
    assert status.remaining == D("8558.25")  # 10 000 − 732,60 − 709,15
    assert status.rate == D("14.4")


def test_settled_and_cancelled_orders_are_no_longer_committed(shop):
    order = _committed_order(shop, [("P1", "2")])  # 104 HT = 124,80 TTC
    cancelled = _committed_order(shop, [("P1", "1")])
    with scopes_disabled():
        purchasing.invoice_record(
            access=access_of(shop["manager"]),
            order=order,
            number="F-7",
            date=timezone.localdate(),
            amount_ht="104.00",
            amount_ttc="124.80",
        )
        purchasing.purchase_order_cancel(access=access_of(shop["manager"]), order=cancelled, reason="doublon")
        status = line_status(shop["maintenance"])
    assert (status.committed, status.realised, status.remaining) == (D("0.00"), D("124.80"), D("9875.20"))


def test_work_orders_go_to_the_most_specific_line_and_the_rest_to_the_default(f, shop):
    school, plumbing = shop["school"], shop["plumbing"]
    electricity = f.trade("electricite", "Électricité")
    by_building = budget_line(shop["nesmy"], "011-615221-212", "5000.00", building=school)
    by_trade = budget_line(shop["nesmy"], "011-61558", "5000.00", trade=electricity)
    both = budget_line(shop["nesmy"], "011-615221-213", "5000.00", building=school, trade=electricity)
    investment = budget_line(shop["nesmy"], "21-2135", "50000.00", section="investissement", building=school)
    other = f.building(shop["nesmy"], "Mairie")
    a = validated(f, shop, total="100.00", building=school, trade=plumbing)
    b = validated(f, shop, total="200.00", building=other, trade=electricity)
    c = validated(f, shop, total="300.00", building=school, trade=electricity)
    d = validated(f, shop, total="400.00", building=other, trade=plumbing)
    e = validated(f, shop, total="500.00", building=other, trade=plumbing, year=THIS_YEAR - 1)  # another year
    report = _report(shop)
    charged = {s.line.code: (s.orders_cost, sorted(map(str, s.orders))) for s in report.lines}
    assert charged[by_building.code] == (D("100.00"), [str(a.pk)])
    assert charged[by_trade.code] == (D("200.00"), [str(b.pk)])
    assert charged[both.code] == (D("300.00"), [str(c.pk)])
    assert charged[shop["maintenance"].code] == (D("400.00"), [str(d.pk)])
    assert charged[investment.code] == (D("0.00"), [])  # work orders are operating costs
    assert str(e.pk) not in str(report.lines)

    # An imputation overrides the rule, even towards the capital section.
    with scopes_disabled():
        budgets.work_order_imputation_set(access=access_of(shop["manager"]), work_order=a, budget_line=investment)
    report = _report(shop)
    assert {s.line.code: s.orders_cost for s in report.lines}[investment.code] == D("100.00")
    assert {s.line.code: s.orders_cost for s in report.lines}[by_building.code] == D("0.00")


def test_lines_plus_the_unimputed_rest_add_up_to_the_validated_costs(f, shop):
    with scopes_disabled():
        type(shop["maintenance"]).objects.filter(pk=shop["maintenance"].pk).update(is_default=False)
    budget_line(shop["nesmy"], "011-615221-212", "5000.00", building=shop["school"])
    totals = ["12.34", "56.78", "90.12", "0.01", "1234.56"]
    for n, total in enumerate(totals):
        validated(f, shop, total=total, building=shop["school"] if n % 2 else None)
    report = _report(shop)
    charged = sum((s.orders_cost for s in report.lines), D("0"))
    assert charged == D("56.78") + D("0.01")
    assert report.unimputed_cost == D("12.34") + D("90.12") + D("1234.56")
    assert charged + report.unimputed_cost == sum(map(D, totals))
    assert len(report.unimputed_orders) == 3


def test_alert_before_a_line_overruns_then_overrun(f, shop):
    line = budget_line(shop["nesmy"], "011-6156", "1000.00", alert_threshold=D("80"), building=shop["school"])
    validated(f, shop, total="790.00", building=shop["school"])
    with scopes_disabled():
        assert line_status(line).level == "ok"
    validated(f, shop, total="10.00", building=shop["school"])  # 80 %
    with scopes_disabled():
        assert line_status(line).level == "alerte"
    access = access_of(shop["reader"])
    with scope(organisation=sorted(access.read_org_ids)):
        assert [s.line.code for s in budget_alerts(access)] == ["011-6156"]
    validated(f, shop, total="200.01", building=shop["school"])
    with scopes_disabled():
        status = line_status(line)
    assert (status.level, status.remaining) == ("depasse", D("-0.01"))
    access = access_of(shop["v_manager"])
    with scope(organisation=sorted(access.read_org_ids)):
        assert budget_alerts(access) == []


def test_a_rate_change_next_year_never_rewrites_this_years_realised_cost(f, shop):
    """Labour is valued when time is entered (rate stored on the entry): next year's rate leaves the
    validated order and this year's budget as they were."""
    tech = shop["tech"]
    team = f.team(shop["nesmy"], "Atelier", members=[tech], trade_obj=shop["plumbing"])
    f.labour_rate(shop["nesmy"], "38.56", year=THIS_YEAR, trade_obj=shop["plumbing"])
    order = f.work_order(
        shop["nesmy"],
        building_obj=shop["school"],
        team_obj=team,
        trade_obj=shop["plumbing"],
        status=WorkOrder.Status.IN_PROGRESS,
    )
    with scopes_disabled():
        entry = costs.time_entry_add(
            access=access_of(shop["chef"]), work_order=order, technician=tech, date=timezone.localdate(), hours="2.5"
        )
        WorkOrder.objects.filter(pk=order.pk).update(status=WorkOrder.Status.VALIDATED, validated_at=timezone.now())
    before = _report(shop)
    assert entry.amount == D("96.40")

    with scopes_disabled():
        costs.labour_rate_save(
            access=access_of(shop["admin"]),
            year=THIS_YEAR + 1,
            grade=TeamMember.Grade.AGENT,
            trade=shop["plumbing"],
            hourly_rate="44.10",
        )
        entry.refresh_from_db()
        order.refresh_from_db()
    after = _report(shop)
    assert (entry.hourly_rate, entry.amount, order.labour_cost) == (D("38.56"), D("96.40"), D("96.40"))
    assert [s.realised for s in after.lines] == [s.realised for s in before.lines]
    with scopes_disabled():
        assert TimeEntry.objects.get(pk=entry.pk).hourly_rate == D("38.56")


def test_only_a_manager_of_the_organisation_changes_the_budget(shop):
    with pytest.raises(PermissionRefused, match="budget"), scopes_disabled():
        budgets.budget_line_save(
            access=access_of(shop["reader"]), year=THIS_YEAR, section="fonctionnement", code="X", label="X", amount=1
        )
    with pytest.raises(PermissionRefused), scopes_disabled():
        budgets.work_order_imputation_set(
            access=access_of(shop["v_manager"]), work_order=shop["order"], budget_line=shop["v_line"]
        )


def test_a_new_default_line_replaces_the_previous_one(shop):
    with scopes_disabled():
        new = budgets.budget_line_save(
            access=access_of(shop["manager"]),
            year=THIS_YEAR,
            section="fonctionnement",
            code="011-60632",
            label="Fournitures",
            amount="2500",
            is_default=True,
        )
        shop["maintenance"].refresh_from_db()
    assert new.is_default and not shop["maintenance"].is_default
