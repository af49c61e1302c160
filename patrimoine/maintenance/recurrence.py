"""Recurrence rules (RFC 5545 RRULE, evaluated with python-dateutil) in Europe/Paris wall time.

A plan stores its rule (`FREQ=YEARLY;BYMONTH=9`) and its first due date (DTSTART, an aware
datetime). Dates are expanded on the *local* wall clock, then given their offset: a visit « every
Monday at 08:00 » stays at 08:00 across the change to summer time (its UTC hour moves). A wall time
that does not exist on the spring-forward night (02:30) is moved forward by the gap (03:30); an
ambiguous one on the autumn night takes its first (summer-time) instance.

RFC 5545 skips a date that does not exist (« the 31st, every 6 months » from 31 August never gives
February). `rule_build` — what the plan form uses — asks for « that day or else the last day of the
month » (`BYMONTHDAY=31,-1;BYSETPOS=1`), which is what a maintenance calendar means.
"""

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from patrimoine.core.errors import DomainError

PARIS = ZoneInfo("Europe/Paris")
FREQUENCIES = ("YEARLY", "MONTHLY", "WEEKLY", "DAILY")
FORBIDDEN_PARTS = ("DTSTART", "UNTIL=", "BYHOUR", "BYMINUTE", "BYSECOND")
MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]
APPROXIMATE_DAYS = {"YEARLY": 365, "MONTHLY": 30, "WEEKLY": 7, "DAILY": 1}


def to_local_naive(moment: datetime) -> datetime:
    """The Europe/Paris wall time of an aware datetime, without tzinfo (what the rule runs on)."""
    return moment.astimezone(PARIS).replace(tzinfo=None)


def localize(wall: datetime) -> datetime:
    """Give a Europe/Paris wall time its offset. Non-existent times (spring gap) move forward by the
    gap; ambiguous ones (autumn) take the first occurrence (fold=0)."""
    aware = wall.replace(tzinfo=PARIS, fold=0)
    # A wall time in the gap does not survive the round trip through UTC: normalise it.
    return aware.astimezone(UTC).astimezone(PARIS)


def rule_parts(rule: str) -> dict[str, str]:
    parts = {}
    for chunk in rule.strip().removeprefix("RRULE:").split(";"):
        if "=" in chunk:
            key, _sep, value = chunk.partition("=")
            parts[key.strip().upper()] = value.strip().upper()
    return parts


def rule_validate(rule: str) -> str:
    """Return the normalised rule or raise DomainError (French) when it is not one a plan can use."""
    text = (rule or "").strip().removeprefix("RRULE:").strip().upper()
    if not text:
        raise DomainError(_("Indiquez la règle de récurrence."))
    if any(part in text for part in FORBIDDEN_PARTS):
        raise DomainError(
            _(
                "La règle ne doit contenir ni DTSTART, ni UNTIL, ni heure : "
                "la première échéance et l'heure se saisissent à part."
            )
        )
    parts = rule_parts(text)
    if parts.get("FREQ") not in FREQUENCIES:
        raise DomainError(_("La fréquence doit être annuelle, mensuelle, hebdomadaire ou quotidienne (FREQ=…)."))
    interval = parts.get("INTERVAL", "1")
    if not interval.isdigit() or not 1 <= int(interval) <= 120:
        raise DomainError(_("L'intervalle doit être un nombre entier de 1 à 120."))
    for key, low, high in (("BYMONTHDAY", -31, 31), ("BYMONTH", 1, 12)):
        for value in filter(None, parts.get(key, "").split(",")):
            if not value.lstrip("-").isdigit() or not low <= int(value) <= high or int(value) == 0:
                raise DomainError(
                    _("Valeur impossible dans la règle : %(part)s=%(value)s.") % {"part": key, "value": value}
                )
    try:
        reference = datetime(2026, 1, 1, 8, 0)
        compiled = rrulestr(text, dtstart=reference)
    except (ValueError, TypeError) as exc:
        raise DomainError(_("Règle de récurrence illisible : %(error)s") % {"error": exc}) from exc
    if not compiled.between(reference, reference.replace(year=reference.year + 11), inc=True):
        raise DomainError(_("Cette règle ne donne aucune date : vérifiez le jour et le mois."))
    return text


def rule_build(*, frequency: str, interval: int = 1, month: int | None = None, start: date) -> str:
    """The rule for « every `interval` years/months/weeks/days [in `month`] » starting on `start`.

    Monthly and yearly rules starting after the 28th fall back to the month's last day when the day
    does not exist (31 August → 28 or 29 February)."""
    frequency = frequency.upper()
    if frequency not in FREQUENCIES:
        raise DomainError(_("Fréquence inconnue."))
    parts = [f"FREQ={frequency}"]
    if interval and int(interval) > 1:
        parts.append(f"INTERVAL={int(interval)}")
    if frequency == "YEARLY":
        parts.append(f"BYMONTH={month or start.month}")
    if frequency in ("YEARLY", "MONTHLY") and start.day > 28:
        parts.append(f"BYMONTHDAY={start.day},-1;BYSETPOS=1")
    return rule_validate(";".join(parts))


@lru_cache(maxsize=4096)
def _compiled(rule: str, dtstart_wall: datetime) -> rrule:
    return rrulestr(rule, dtstart=dtstart_wall)


def occurrences_between(rule: str, dtstart: datetime, start: date, end: date) -> Iterator[datetime]:
    """Aware due datetimes of the rule whose local date lies in [start, end], in order."""
    wall_start = to_local_naive(dtstart)
    compiled = _compiled(rule, wall_start)
    after = datetime.combine(start, time.min)
    before = datetime.combine(end, time.max)
    for wall in compiled.xafter(max(after, wall_start), inc=True):
        if wall > before:
            return
        yield localize(wall)


def last_on_or_before(rule: str, dtstart: datetime, day: date) -> datetime | None:
    """The latest due datetime whose local date is `day` or earlier (None before the first one)."""
    wall = _compiled(rule, to_local_naive(dtstart)).before(datetime.combine(day, time.max), inc=True)
    return localize(wall) if wall is not None else None


def first_after(rule: str, dtstart: datetime, day: date) -> datetime | None:
    """The first due datetime whose local date is after `day`."""
    wall = _compiled(rule, to_local_naive(dtstart)).after(datetime.combine(day, time.max), inc=False)
    return localize(wall) if wall is not None else None


def approximate_period_days(rule: str) -> int:
    parts = rule_parts(rule)
    interval = int(parts.get("INTERVAL", "1") or 1)
    return APPROXIMATE_DAYS.get(parts.get("FREQ", "YEARLY"), 365) * interval


def rule_describe(rule: str) -> str:
    """A French sentence for the common rules (« Tous les 6 mois », « Chaque année en septembre »);
    the raw rule otherwise."""
    parts = rule_parts(rule)
    known = {"FREQ", "INTERVAL", "BYMONTH", "BYMONTHDAY", "BYSETPOS"}
    if set(parts) - known:
        return rule
    frequency = parts.get("FREQ")
    interval = int(parts.get("INTERVAL", "1") or 1)
    month = parts.get("BYMONTH", "")
    if frequency == "YEARLY":
        text = _("Chaque année") if interval == 1 else _("Tous les %(n)d ans") % {"n": interval}
        if month.isdigit() and 1 <= int(month) <= 12:
            text += " " + _("en %(month)s") % {"month": MONTHS[int(month) - 1]}
        elif month:
            return rule
    elif frequency == "MONTHLY":
        text = _("Chaque mois") if interval == 1 else _("Tous les %(n)d mois") % {"n": interval}
    elif frequency == "WEEKLY":
        text = ngettext("Chaque semaine", "Toutes les %(n)d semaines", interval) % {"n": interval}
    elif frequency == "DAILY":
        text = ngettext("Chaque jour", "Tous les %(n)d jours", interval) % {"n": interval}
    else:
        return rule
    day = parts.get("BYMONTHDAY", "")
    if day == "-1":
        text += " " + _("(dernier jour du mois)")
    elif day.isdigit():
        text += " " + _("(le %(day)s)") % {"day": day}
    return text


def to_ical_rrule(rule: str) -> dict:
    """The rule as a dict for the icalendar library's vRecur."""
    recur: dict = {}
    for key, value in rule_parts(rule).items():
        recur[key] = value.split(",")
    return recur


def in_days(day: date, days: int) -> date:
    return day + timedelta(days=days)
