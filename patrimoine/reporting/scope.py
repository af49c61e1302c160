"""What a report looks at (`Scope`) and the calendar helpers every figure shares."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy

from patrimoine.costs.selectors import Period
from patrimoine.organisations.access import Access

DAY = dt.timedelta(days=1)
# Age of what is waiting: (upper bound in days or None, label)
AGE_BUCKETS = [
    (7, gettext_lazy("moins d'une semaine")),
    (30, gettext_lazy("1 semaine à 1 mois")),
    (90, gettext_lazy("1 à 3 mois")),
    (None, gettext_lazy("plus de 3 mois")),
]
MONTHS = [
    gettext_lazy("janv."),
    gettext_lazy("févr."),
    gettext_lazy("mars"),
    gettext_lazy("avr."),
    gettext_lazy("mai"),
    gettext_lazy("juin"),
    gettext_lazy("juil."),
    gettext_lazy("août"),
    gettext_lazy("sept."),
    gettext_lazy("oct."),
    gettext_lazy("nov."),
    gettext_lazy("déc."),
]


@dataclass(frozen=True)
class Scope:
    """What a report looks at: the user's access, a period, optionally one organisation, trade or
    type of building (ERP type)."""

    access: Access
    period: Period
    organisation_id: int | None = None
    trade_id: int | None = None
    erp_type: str = ""
    # What a page's figures already read (keyed by everything that made it): one query for several.
    memo: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def organisation_ids(self) -> frozenset[int]:
        """The organisations the figures cover (those the user reads, or the one chosen among them)."""
        read = self.access.read_org_ids
        if self.organisation_id:
            return frozenset({self.organisation_id}) & read
        return frozenset(read)


def aware(day: dt.date) -> dt.datetime:
    """Midnight at the start of `day`, Europe/Paris."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def month_label(day: dt.date) -> str:
    return f"{MONTHS[day.month - 1]} {day:%y}"


def days(value: dt.timedelta | None) -> Decimal | None:
    """A duration in days, to the tenth (half up)."""
    if value is None:
        return None
    return (Decimal(value.total_seconds()) / Decimal(86400)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def month_ends(today: dt.date, months: int = 12) -> list[dt.date]:
    """The first day of each of the last `months` months after the current one, then tomorrow:
    the instants (midnight) at which the backlog is counted, oldest first."""
    first = today.replace(day=1)
    points = []
    for back in range(months - 1, -1, -1):
        year, month = divmod(first.year * 12 + first.month - 1 - back, 12)
        points.append(dt.date(year, month + 1, 1))
    return [*points[1:], today + DAY] if months > 1 else [today + DAY]


def next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def whole_months(period: Period) -> tuple[dt.date, dt.date] | None:
    """(first, last) months of `period` if it is made of whole months, else None. A period that runs
    to today or later counts its current month as whole: nothing is dated after now."""
    if period.start.day != 1 or period.end < period.start:
        return None
    if next_month(period.end) - DAY != period.end and period.end < timezone.localdate():
        return None
    return period.start, period.end.replace(day=1)
