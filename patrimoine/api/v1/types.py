"""Input types shared by every endpoint: strings that the databases accept, bounded dates."""

import datetime as dt
import unicodedata
from typing import Annotated

from pydantic import AfterValidator, StringConstraints


def _printable(value: str) -> str:
    # PostgreSQL refuses NUL in text, and a lone surrogate cannot be encoded: refuse both up front.
    if "\x00" in value or any(unicodedata.category(char) == "Cs" for char in value):
        raise ValueError("caractère interdit (NUL ou surrogate)")
    return value


def _sane_datetime(value: dt.datetime) -> dt.datetime:
    if not 1900 <= value.year <= 2200:
        raise ValueError("date hors limites (1900–2200)")
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value


def _sane_date(value: dt.date) -> dt.date:
    if not 1900 <= value.year <= 2200:
        raise ValueError("date hors limites (1900–2200)")
    return value


def Text(max_length: int, min_length: int = 0):  # noqa: N802 — reads like a type
    return Annotated[str, StringConstraints(max_length=max_length, min_length=min_length), AfterValidator(_printable)]


SafeDateTime = Annotated[dt.datetime, AfterValidator(_sane_datetime)]
SafeDate = Annotated[dt.date, AfterValidator(_sane_date)]
