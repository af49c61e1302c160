"""RFC 5545 rules give the right local dates and times across DST changes, month ends and leap years."""

from datetime import UTC, date, datetime

import pytest

from patrimoine.core.errors import DomainError
from patrimoine.maintenance.recurrence import (
    PARIS,
    first_after,
    last_on_or_before,
    occurrences_between,
    rule_build,
    rule_describe,
    rule_validate,
)


def paris(*args) -> datetime:
    return datetime(*args, tzinfo=PARIS)


def dates(rule, start, first, last):
    return [d.date() for d in occurrences_between(rule, start, first, last)]


def test_weekly_visit_stays_at_eight_local_time_across_the_spring_change():
    start = paris(2026, 3, 23, 8, 0)  # Monday, winter time (UTC+1)
    visits = list(occurrences_between("FREQ=WEEKLY", start, date(2026, 3, 23), date(2026, 4, 6)))
    assert [v.astimezone(PARIS).hour for v in visits] == [8, 8, 8]
    assert [v.astimezone(UTC).hour for v in visits] == [7, 6, 6]  # the UTC hour moves, not the local one


def test_weekly_visit_stays_at_eight_local_time_across_the_autumn_change():
    start = paris(2026, 10, 19, 8, 0)
    visits = list(occurrences_between("FREQ=WEEKLY", start, date(2026, 10, 19), date(2026, 11, 2)))
    assert [v.astimezone(PARIS).hour for v in visits] == [8, 8, 8]
    assert [v.astimezone(UTC).hour for v in visits] == [6, 7, 7]


def test_a_time_that_does_not_exist_on_the_spring_night_moves_forward_by_the_gap():
    start = paris(2026, 3, 28, 2, 30)
    night = [
        v.astimezone(PARIS) for v in occurrences_between("FREQ=DAILY", start, date(2026, 3, 28), date(2026, 3, 30))
    ]
    assert [(v.day, v.hour, v.minute) for v in night] == [(28, 2, 30), (29, 3, 30), (30, 2, 30)]


def test_an_ambiguous_time_on_the_autumn_night_takes_the_first_one():
    start = paris(2026, 10, 24, 2, 30)
    night = list(occurrences_between("FREQ=DAILY", start, date(2026, 10, 25), date(2026, 10, 25)))
    assert night[0].utcoffset().total_seconds() == 7200  # 02:30 summer time, not the repeated winter one


def test_raw_rfc_rule_skips_months_without_the_day():
    start = paris(2026, 8, 31, 8, 0)
    assert dates("FREQ=MONTHLY;INTERVAL=6", start, date(2026, 8, 1), date(2028, 12, 31)) == [
        date(2026, 8, 31),
        date(2027, 8, 31),
        date(2028, 8, 31),
    ]


def test_built_rule_falls_back_to_the_last_day_of_short_months_and_leap_february():
    rule = rule_build(frequency="MONTHLY", interval=6, start=date(2026, 8, 31))
    start = paris(2026, 8, 31, 8, 0)
    assert dates(rule, start, date(2026, 8, 1), date(2028, 12, 31)) == [
        date(2026, 8, 31),
        date(2027, 2, 28),
        date(2027, 8, 31),
        date(2028, 2, 29),  # leap year
        date(2028, 8, 31),
    ]


def test_monthly_on_the_thirtieth_keeps_the_thirtieth_where_it_exists():
    rule = rule_build(frequency="MONTHLY", start=date(2027, 1, 30))
    days = dates(rule, paris(2027, 1, 30, 8, 0), date(2027, 1, 1), date(2027, 4, 30))
    assert days == [date(2027, 1, 30), date(2027, 2, 28), date(2027, 3, 30), date(2027, 4, 30)]


def test_last_day_of_the_month_rule():
    days = dates("FREQ=MONTHLY;BYMONTHDAY=-1", paris(2027, 1, 31, 8, 0), date(2027, 1, 1), date(2028, 3, 31))
    assert days[:3] == [date(2027, 1, 31), date(2027, 2, 28), date(2027, 3, 31)]
    assert date(2028, 2, 29) in days


def test_yearly_from_the_twenty_ninth_of_february():
    built = rule_build(frequency="YEARLY", start=date(2028, 2, 29))
    start = paris(2028, 2, 29, 8, 0)
    assert dates(built, start, date(2028, 1, 1), date(2032, 12, 31)) == [
        date(2028, 2, 29),
        date(2029, 2, 28),
        date(2030, 2, 28),
        date(2031, 2, 28),
        date(2032, 2, 29),
    ]
    # The raw RFC rule only exists in leap years.
    assert dates("FREQ=YEARLY", start, date(2028, 1, 1), date(2032, 12, 31)) == [date(2028, 2, 29), date(2032, 2, 29)]


def test_every_year_in_september_from_a_date_in_may():
    rule = rule_build(frequency="YEARLY", month=9, start=date(2026, 5, 12))
    assert rule == "FREQ=YEARLY;BYMONTH=9"
    assert dates(rule, paris(2026, 5, 12, 8, 0), date(2026, 1, 1), date(2027, 12, 31)) == [
        date(2026, 9, 12),
        date(2027, 9, 12),
    ]
    assert rule_describe(rule) == "Chaque année en septembre"


def test_neighbours_of_a_day():
    rule, start = "FREQ=MONTHLY;INTERVAL=3", paris(2026, 1, 15, 8, 0)
    assert last_on_or_before(rule, start, date(2026, 5, 1)).date() == date(2026, 4, 15)
    assert last_on_or_before(rule, start, date(2026, 4, 15)).date() == date(2026, 4, 15)
    assert first_after(rule, start, date(2026, 4, 15)).date() == date(2026, 7, 15)
    assert last_on_or_before(rule, start, date(2025, 12, 31)) is None


@pytest.mark.parametrize(
    "rule",
    [
        "",
        "FREQ=HOURLY",
        "FREQ=YEARLY;UNTIL=20300101",
        "DTSTART:20260101T080000\nRRULE:FREQ=YEARLY",
        "FREQ=YEARLY;BYHOUR=3",
        "FREQ=YEARLY;INTERVAL=0",
        "FREQ=MONTHLY;BYMONTHDAY=40",
        "n'importe quoi",
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
    ],
)
def test_rules_a_plan_cannot_use_are_refused_in_french(rule):
    with pytest.raises(DomainError) as refused:
        rule_validate(rule)
    assert refused.value.message[0].isupper()


def test_descriptions_in_french():
    assert rule_describe("FREQ=MONTHLY;INTERVAL=6") == "Tous les 6 mois"
    assert rule_describe("FREQ=WEEKLY;INTERVAL=6") == "Toutes les 6 semaines"
    assert rule_describe("FREQ=YEARLY;INTERVAL=3") == "Tous les 3 ans"
    assert rule_describe("FREQ=MONTHLY;BYMONTHDAY=-1") == "Chaque mois (dernier jour du mois)"
    assert rule_describe("FREQ=WEEKLY;BYDAY=MO,TH") == "FREQ=WEEKLY;BYDAY=MO,TH"
