from decimal import Decimal

from patrimoine.core.templatetags.formatting import format_euros, format_hours


def test_euros_are_written_the_french_way():
    assert format_euros(Decimal("96.4")) == "96,40\u00a0€"
    assert format_euros(Decimal("1234567.891")) == "1\u202f234\u202f567,89\u00a0€"
    assert format_euros(Decimal("-0.005")) == "-0,01\u00a0€"
    assert format_euros(None) == ""


def test_hours_are_written_as_hours_and_minutes():
    assert format_hours(Decimal("1.75")) == "1\u00a0h\u00a045"
    assert format_hours(Decimal("2")) == "2\u00a0h"
    assert format_hours(Decimal("0.5")) == "0\u00a0h\u00a030"
