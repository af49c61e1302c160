"""Dates of the demo, in Europe/Paris: working days and slots."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS)


def is_workday(day: date) -> bool:
    return day.weekday() < 5


def add_workdays(day: date, count: int) -> date:
    """The working day `count` working days after `day` (0: `day` itself, or the next working day)."""
    while not is_workday(day):
        day += timedelta(days=1)
    while count > 0:
        day += timedelta(days=1)
        if is_workday(day):
            count -= 1
    return day


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def previous_workday(day: date) -> date:
    day -= timedelta(days=1)
    while not is_workday(day):
        day -= timedelta(days=1)
    return day
