"""Input types shared by every endpoint: strings that the databases accept, bounded dates."""

import datetime as dt
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Annotated, Literal

from pydantic import AfterValidator, BeforeValidator, StringConstraints, WithJsonSchema

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _printable(value: str) -> str:
    # PostgreSQL refuses NUL in text, and a lone surrogate cannot be encoded: refuse both up front.
    if "\x00" in value or any(unicodedata.category(char) == "Cs" for char in value):
        raise ValueError("caractère interdit (NUL ou surrogate)")
    return value


def _iso_only(value):
    # Pydantic would also read "0.5" as a Unix timestamp; the schema promises ISO 8601, so do we.
    if not isinstance(value, dt.date) and not (isinstance(value, str) and ISO_DATE.match(value)):
        raise ValueError("date attendue au format ISO 8601 (AAAA-MM-JJ)")
    return value


def _sane_datetime(value: dt.datetime) -> dt.datetime:
    # Far years would overflow when converted to UTC: a filter bound that far means "no bound".
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    if value.year < 1900:
        return dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
    if value.year > 2200:
        return dt.datetime(2200, 1, 1, tzinfo=dt.UTC)
    return value


def Amount(*, places: int, le: str, ge: str | None = None, gt: str | None = None):  # noqa: N802
    """A decimal sent as a JSON number (or a numeric string), checked against its bounds, then
    rounded to `places` decimals (a business rule may still refuse what rounds to zero: 400)."""
    step = Decimal(1).scaleb(-places)
    high, low, above = Decimal(le), Decimal(ge) if ge is not None else None, Decimal(gt) if gt is not None else None

    def checked(value):
        if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
            raise ValueError("nombre attendu")
        try:
            number = Decimal(str(value))
        except InvalidOperation as exc:
            raise ValueError("nombre attendu") from exc
        if not number.is_finite() or number > high or (low is not None and number < low):
            raise ValueError("nombre hors limites")
        if above is not None and number <= above:
            raise ValueError("nombre hors limites")
        return number.quantize(step, rounding=ROUND_HALF_UP)

    schema: dict = {"type": "number", "maximum": float(high)}
    if low is not None:
        schema["minimum"] = float(low)
    if above is not None:
        schema["exclusiveMinimum"] = float(above)
    return Annotated[Decimal, BeforeValidator(checked), WithJsonSchema(schema)]


def choice(enum) -> object:
    """The values of a TextChoices as a plain enum in the schema (two `Status` classes would clash)."""
    return Literal[tuple(enum.values)]  # type: ignore[valid-type]


SafeDateTime = Annotated[dt.datetime, BeforeValidator(_iso_only), AfterValidator(_sane_datetime)]
SafeDate = Annotated[dt.date, BeforeValidator(_iso_only)]


def Text(max_length: int, min_length: int = 0):  # noqa: N802 — reads like a type
    constraints = StringConstraints(max_length=max_length, min_length=min_length, pattern=r"^[^\x00]*$")
    return Annotated[str, constraints, AfterValidator(_printable)]
