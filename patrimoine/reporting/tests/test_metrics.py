"""The dashboard's figures on a small dataset whose answers are known by hand."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django_scopes import scope, scopes_disabled

from conftest import access_of
from patrimoine.costs.selectors import Period
from patrimoine.intake.models import WorkRequest
from patrimoine.organisations.models import Membership
from patrimoine.reporting import rollups, selectors
from patrimoine.workorders.models import WorkOrder, WorkOrderTransition

pytestmark = pytest.mark.django_db
Role = Membership.Role
PARIS = ZoneInfo("Europe/Paris")
YEAR = 2025
Status = WorkOrder.Status


def at(month, day, hour=10, minute=0, year=YEAR):
    return dt.datetime(year, month, day, hour, minute, tzinfo=PARIS)


@scopes_disabled()
def request_(
    f,
    org,
    *,
    created,
    channel=WorkRequest.Channel.INTERNAL,
    status=WorkRequest.Status.NEW,
    order=None,
    triaged=None,
    trade=None,
):
    request = f.work_request(org, channel=channel, status=status, work_order=order, trade=trade)
    with rollups.tracking(requests=[request.pk]):  # dated in the past: the dashboards' rollups follow
        WorkRequest.objects.filter(pk=request.pk).update(created_at=created, triaged_at=triaged)
    return request


@scopes_disabled()
def order_(f, org, *, created, status=Status.VALIDATED, completed=None, due=None, cancelled=None, trade=None):
    reason = WorkOrder.SuspensionReason.PARTS if status == Status.SUSPENDED else ""
    order = f.work_order(org, status=status, due_date=due, trade_obj=trade, suspension_reason=reason)
    with rollups.tracking(orders=[order.pk]):  # dated in the past: the dashboards' rollups follow
        WorkOrder.objects.filter(pk=order.pk).update(created_at=created, completed_at=completed)
        if cancelled:
            transition = WorkOrderTransition.objects.create(
                organisation=org, work_order=order, from_status=Status.TO_PLAN, to_status=Status.CANCELLED
            )
            WorkOrderTransition.objects.filter(pk=transition.pk).update(at=cancelled)
    return order


@pytest.fixture
def known(f):
    epci, (nesmy, venansault) = f.epci_with_communes("Nesmy", "Venansault")
    plumbing, electricity = f.trade("plomberie", "Plomberie"), f.trade("electricite", "Électricité")
    reader = f.user(role=Role.READER, organisation=nesmy)
    # Three repairs of 2025: 2 days (on time), 10 days (late), 4 days (no due date).
    o1 = order_(f, nesmy, created=at(3, 1), completed=at(3, 3), due=dt.date(YEAR, 3, 5), trade=plumbing)
    o2 = order_(f, nesmy, created=at(3, 10), completed=at(3, 20), due=dt.date(YEAR, 3, 15), trade=plumbing)
    o3 = order_(f, nesmy, created=at(4, 1), completed=at(4, 5), trade=electricity)
    accepted = WorkRequest.Status.ACCEPTED
    request_(
        f,
        nesmy,
        created=at(3, 1),
        channel=WorkRequest.Channel.CITIZEN,
        status=accepted,
        order=o1,
        triaged=at(3, 1, 11),
        trade=plumbing,
    )
    request_(f, nesmy, created=at(3, 10), status=accepted, order=o2, triaged=at(3, 10, 11), trade=plumbing)
    request_(
        f,
        nesmy,
        created=at(4, 1),
        channel=WorkRequest.Channel.COUNTER,
        status=accepted,
        order=o3,
        triaged=at(4, 1, 12),
        trade=electricity,
    )
    # Venansault's: never counted for Nesmy's reader.
    v_order = order_(f, venansault, created=at(3, 1), completed=at(5, 1), due=dt.date(YEAR, 3, 2))
    request_(f, venansault, created=at(2, 1), status=accepted, order=v_order, triaged=at(2, 2))
    request_(f, venansault, created=at(3, 1))
    return {"nesmy": nesmy, "venansault": venansault, "reader": reader, "plumbing": plumbing}


def _scope(known, period=None, **kwargs):
    access = access_of(known["reader"], known["nesmy"])
    return access, selectors.Scope(access=access, period=period or Period.year(YEAR), **kwargs)


def test_time_to_repair_median_and_mean_in_days(known):
    access, report = _scope(known)
    with scope(organisation=sorted(access.read_org_ids)):
        result = selectors.repair_times(report)
    assert result == {"count": 3, "median_days": Decimal("4.0"), "mean_days": Decimal("5.3")}


def test_on_time_rate_counts_orders_with_a_due_date(known):
    access, report = _scope(known)
    with scope(organisation=sorted(access.read_org_ids)):
        result = selectors.on_time(report)
    assert (result["completed"], result["with_due"], result["on_time"], result["late"]) == (3, 2, 1, 1)
    assert result["rate"] == Decimal("50.0")


def test_requests_by_channel_and_trade(known):
    access, report = _scope(known)
    with scope(organisation=sorted(access.read_org_ids)):
        channels = {row["key"]: row["count"] for row in selectors.requests_by_channel(report)}
        trades = selectors.requests_by_trade(report)
    assert channels == {"interne": 1, "citoyen": 1, "guichet": 1, "terrain": 0}
    assert trades == [{"name": "Plomberie", "count": 2}, {"name": "Électricité", "count": 1}]


def test_filters_narrow_every_figure(known):
    access, report = _scope(
        known, trade_id=known["plumbing"].pk, period=Period(dt.date(YEAR, 3, 1), dt.date(YEAR, 3, 31))
    )
    with scope(organisation=sorted(access.read_org_ids)):
        assert selectors.repair_times(report)["count"] == 2
        assert selectors.requests_total(selectors.requests_by_channel(report)) == 2


def test_backlog_now_and_its_age(f, known):
    nesmy = known["nesmy"]
    now = dt.datetime(YEAR, 6, 30, 12, tzinfo=PARIS)
    request_(f, nesmy, created=now - dt.timedelta(days=3))
    order_(f, nesmy, created=now - dt.timedelta(days=40), status=Status.TO_PLAN)
    order_(f, nesmy, created=now - dt.timedelta(days=200), status=Status.SUSPENDED)
    order_(f, nesmy, created=now - dt.timedelta(days=10), status=Status.CANCELLED)
    access, report = _scope(known)
    with scope(organisation=sorted(access.read_org_ids)):
        backlog = selectors.backlog_now(report, now=now)
    assert (backlog["requests"], backlog["orders"], backlog["total"]) == (1, 2, 3)
    assert [b["total"] for b in backlog["buckets"]] == [1, 0, 1, 1]


def test_backlog_at_each_month_end(f, known):
    nesmy = known["nesmy"]
    access, report = _scope(known)
    # A: open from 15 January to 3 March; B: cancelled on 20 February; C: waits from 5 February to
    # its triage on 10 March; D: still waiting.
    year = 2023
    order_(f, nesmy, created=at(1, 15, year=year), completed=at(3, 3, year=year))
    order_(f, nesmy, created=at(2, 10, year=year), status=Status.CANCELLED, cancelled=at(2, 20, year=year))
    request_(f, nesmy, created=at(2, 5, year=year), status=WorkRequest.Status.ACCEPTED, triaged=at(3, 10, year=year))
    request_(f, nesmy, created=at(3, 20, year=year))
    # E: open since 2022, still waiting; F: cancelled (and last saved) in 2022.
    order_(f, nesmy, created=at(6, 1, year=2022), status=Status.TO_PLAN)
    old = order_(f, nesmy, created=at(5, 1, year=2022), status=Status.CANCELLED, cancelled=at(5, 2, year=2022))
    with scopes_disabled(), rollups.tracking(orders=[old.pk]):
        WorkOrder.objects.filter(pk=old.pk).update(updated_at=at(5, 2, year=2022))
    with scope(organisation=sorted(access.read_org_ids)):
        trend = selectors.backlog_trend(report, today=dt.date(year, 4, 15), months=4)
    assert [(p["label"], p["requests"], p["orders"]) for p in trend] == [
        ("janv. 23", 0, 2),
        ("févr. 23", 1, 2),
        ("mars 23", 1, 1),
        ("aujourd'hui", 1, 1),
    ]
    assert [p["date"] for p in trend] == [
        dt.date(year, 1, 31),
        dt.date(year, 2, 28),
        dt.date(year, 3, 31),
        dt.date(year, 4, 15),
    ]
