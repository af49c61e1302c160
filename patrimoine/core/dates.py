"""Calendar days of Europe/Paris as instants, so that date filters stay index-friendly."""

import datetime as dt

from django.utils import timezone


def day_start(day: dt.date) -> dt.datetime:
    """Midnight at the start of `day` in the current time zone (Europe/Paris).

    Filter `at >= day_start(first)` and `at < day_start(last + 1 day)` rather than `at__date`: the
    `AT TIME ZONE … ::date` cast of `__date` hides the column from its indexes."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())
