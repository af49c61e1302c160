"""On a generated agglomeration, every dashboard figure read from the rollups equals the same figure
computed from the raw tables (`reporting.raw`, the code the dashboards ran before the rollups):
for the consolidated EPCI, a commune, each filter, whole years, quarters and a few months."""

import datetime as dt
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Count, Sum
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from conftest import access_of
from patrimoine.accounts.models import User
from patrimoine.core.dates import day_start
from patrimoine.costs.selectors import Period
from patrimoine.dashboard import selectors as home
from patrimoine.intake.models import WorkRequest
from patrimoine.intake.selectors import work_requests_visible_to
from patrimoine.organisations.models import Organisation, Trade
from patrimoine.reporting import raw, selectors
from patrimoine.reporting.scope import Scope
from patrimoine.scale.dataset import Generator
from patrimoine.workorders.models import WorkOrder
from patrimoine.workorders.selectors import work_orders_visible_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def agglomeration():
    Generator("tiny", seed=11, log=lambda line: None).run()  # rollups filled at the end, as for benchmarks
    with scopes_disabled():
        users = {u.username: u for u in User.objects.filter(username__startswith="gen-")}
        return {
            "direction": access_of(users["gen-epci.direction"]),
            "gestionnaire": access_of(users["gen-01.gestionnaire"]),
            "chef": access_of(users["gen-01.chef.plomberie"]),
            "chef_mutualise": access_of(users["gen-epci.chef.plomberie"]),
            "commune": Organisation.objects.get(slug="gen-02"),
            "plumbing": Trade.objects.get(code="plomberie"),
        }


def figures(scope_: Scope, module) -> dict:
    year_end = min(scope_.period.end, timezone.localdate())
    return {
        "trend": module.backlog_trend(scope_),
        "trend_at_period_end": module.backlog_trend(scope_, today=year_end, months=1),
        "repair": module.repair_times(scope_),
        "on_time": module.on_time(scope_),
        "channels": module.requests_by_channel(scope_),
        "trades": module.requests_by_trade(scope_),
        "costs": module.costs(scope_),
        # What the cost page shows: the costliest buildings and the highest costs per m², picked in SQL.
        "costs_top": module.costs(scope_, top=3),
    }


def crosstab_raw(scope_: Scope):
    quarters = selectors.quarters_of(scope_.period)
    rollups = raw.costs_by_organisation_per_period(scope_, [period for _label, period in quarters])
    return [(r.total["total"], [(o["name"], o["total"]) for o in r.by_organisation]) for r in rollups]


def crosstab_read(scope_: Scope):
    table = selectors.costs_by_organisation_and_quarter(scope_)
    return [
        (total, sorted(((row["name"], row["values"][i]) for row in table.rows if row["values"][i]), key=lambda r: r))
        for i, total in enumerate(table.totals)
    ]


def test_dashboard_figures_from_rollups_equal_those_from_the_raw_tables(agglomeration):
    a = agglomeration
    this_year = timezone.localdate().year
    scopes = []
    for year in (this_year - 1, this_year):
        scopes += [
            Scope(a["direction"], Period.year(year)),
            Scope(a["direction"], Period.year(year), organisation_id=a["commune"].pk),
            Scope(a["direction"], Period.year(year), trade_id=a["plumbing"].pk),
            Scope(a["direction"], Period.year(year), erp_type="R"),
            Scope(a["direction"], Period.year(year), trade_id=a["plumbing"].pk, erp_type="X"),
            Scope(a["gestionnaire"], Period.year(year)),
            Scope(a["chef"], Period.year(year)),
            Scope(a["chef_mutualise"], Period.year(year)),  # partly visible communes: the raw path
        ]
    scopes += [
        Scope(a["direction"], Period(dt.date(this_year - 1, 3, 1), dt.date(this_year, 2, 28))),
        Scope(a["direction"], Period(dt.date(this_year - 1, 4, 1), dt.date(this_year - 1, 6, 30))),
        Scope(a["direction"], Period(dt.date(this_year - 1, 3, 12), dt.date(this_year - 1, 9, 3))),  # cut months
    ]
    for scope_ in scopes:
        with scope(organisation=sorted(scope_.access.read_org_ids)):
            expected = figures(scope_, raw)
            assert figures(scope_, selectors) == expected, scope_
            page = selectors.activity(scope_)  # the dashboard's figures, read together
            assert page["trend"] == expected["trend"] and page["repair"] == expected["repair"], scope_
            assert (page["punctuality"], page["channels"], page["trades"]) == (
                expected["on_time"],
                expected["channels"],
                expected["trades"],
            ), scope_
            year_end = min(scope_.period.end, timezone.localdate())
            assert selectors.activity(scope_, today=year_end, months=1)["trend"] == expected["trend_at_period_end"]
            raw_tab = crosstab_raw(scope_)
            assert crosstab_read(scope_) == [(total, sorted(rows)) for total, rows in raw_tab], scope_
    # The figures did come from the rollups, not from the orders and requests.
    consolidated = scopes[-3]
    with scope(organisation=sorted(consolidated.access.read_org_ids)), CaptureQueriesContext(connection) as sql:
        figures(consolidated, selectors)
    read = " ".join(query["sql"] for query in sql.captured_queries)
    assert "reporting_ordermonth" in read and "reporting_repairmonth" in read
    assert "workorders_workorder" not in read and "intake_workrequest" not in read


def test_home_page_figures_from_rollups_equal_those_from_the_raw_tables(agglomeration):
    for who in ("direction", "gestionnaire", "chef"):
        access = agglomeration[who]
        with scope(organisation=sorted(access.read_org_ids)):
            start = timezone.localdate().replace(month=1, day=1)
            totals = (
                work_orders_visible_to(access)
                .filter(status=WorkOrder.Status.VALIDATED, validated_at__gte=day_start(start))
                .aggregate(total=Sum("total_cost"), orders=Count("pk"))
            )
            costs = home.year_costs(access)
            assert (costs["total"], costs["orders"]) == (totals["total"], totals["orders"]), who
            since = timezone.now() - timedelta(days=365)
            rows = (
                work_requests_visible_to(access).filter(created_at__gte=since).values("channel").annotate(n=Count("pk"))
            )
            labels = dict(WorkRequest.Channel.choices)
            expected = {labels[row["channel"]]: row["n"] for row in rows}
            channels = home.requests_by_channel(access)
            assert {row["label"]: row["n"] for row in channels} == expected, who
            assert [row["n"] for row in channels] == sorted(expected.values(), reverse=True)
