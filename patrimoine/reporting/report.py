"""The annual activity report of a collectivité, for its elected officials (HTML and PDF)."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from patrimoine.chargeback.models import Statement
from patrimoine.chargeback.selectors import statements_visible_to
from patrimoine.costs.selectors import CostRollup, Period
from patrimoine.organisations.access import Access
from patrimoine.organisations.models import Organisation
from patrimoine.reporting import selectors

TOP = 10


@dataclass
class AnnualReport:
    organisation: Organisation
    year: int
    period: Period
    backlog_end: dict
    repair: dict
    punctuality: dict
    channels: list[dict]
    trades: list[dict]
    requests_total: int
    costs: CostRollup
    previous_total: Decimal
    quarters: list[dict]
    top_buildings: list[dict]
    per_m2: list[dict]
    statements: list[Statement]

    @property
    def change(self) -> Decimal | None:
        """Change of the total cost against the previous year, in %."""
        if not self.previous_total:
            return None
        change = (self.costs.total["total"] - self.previous_total) * 100 / self.previous_total
        return change.quantize(Decimal("0.1"))


def annual_report(access: Access, organisation: Organisation, year: int) -> AnnualReport:
    """Everything the report shows, in a fixed number of queries."""
    period = Period.year(year)
    scope = selectors.Scope(access=access, period=period, organisation_id=organisation.pk)
    rollup = selectors.costs(scope, groupings=("building", "trade", "month"), top=TOP)
    previous = selectors.costs(
        selectors.Scope(access=access, period=Period.year(year - 1), organisation_id=organisation.pk), groupings=()
    )
    figures = selectors.activity(scope, today=min(period.end, timezone.localdate()), months=1, live=False)
    channels = figures["channels"]
    statements = list(
        statements_visible_to(access)
        .filter(commune=organisation, period_start__year=year)
        .order_by("period_start", "reference")
    )
    return AnnualReport(
        organisation=organisation,
        year=year,
        period=period,
        backlog_end=figures["trend"][-1],
        repair=figures["repair"],
        punctuality=figures["punctuality"],
        channels=channels,
        trades=figures["trades"][:TOP],
        requests_total=selectors.requests_total(channels),
        costs=rollup,
        previous_total=previous.total["total"],
        quarters=selectors.by_quarter(rollup.by_month),
        top_buildings=rollup.by_building,
        per_m2=rollup.per_m2,
        statements=statements,
    )
