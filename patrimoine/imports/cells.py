"""Reading one cell of a legacy file: French numbers and dates, yes/no, choices, plain text.

Each parser takes the raw cell (text from a CSV, or a number/date/bool from an XLSX or GeoJSON) and
returns the Python value, or raises `CellError` with a French reason the user can act on.
"""

import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

SPACES = re.compile(r"[\s\u00a0\u202f\u2007']")  # spaces, non-breaking and narrow spaces, apostrophes
_DATE_FR = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})(?:[ T]\d{1,2}[:h]\d{2}(?::\d{2})?)?$")
_DATE_ISO = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$"
)


class CellError(ValueError):
    """A cell that cannot be read; `str()` is the French reason."""


def normalise(text) -> str:
    """« Surface (m²) » → « surfacem2 »: lower case, no accents, no spaces or punctuation."""
    text = unicodedata.normalize("NFKD", str(text).replace("²", "2").replace("œ", "oe").replace("Œ", "oe"))
    text = "".join(char for char in text if not unicodedata.combining(char)).lower()
    return re.sub(r"[^a-z0-9]", "", text)


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def as_text(value) -> str:
    """The cell as the user typed it (for the error report and text fields)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M") if (value.hour, value.minute) != (0, 0) else value.strftime("%d/%m/%Y")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def text(max_length: int):
    def parse(value) -> str:
        result = as_text(value)
        if len(result) > max_length:
            raise CellError(_("Texte trop long : %(max)d caractères au plus.") % {"max": max_length})
        return result

    return parse


def decimal(value) -> Decimal:
    """« 1 234,50 », « 1234.5 », « 1.234,50 », « 12,5 m² » or a number cell → Decimal."""
    if isinstance(value, bool):
        raise CellError(_("Nombre attendu."))
    if isinstance(value, int | float | Decimal):
        return Decimal(str(value))
    raw = SPACES.sub("", as_text(value)).replace("€", "").replace("m2", "").replace("m²", "")
    if "," in raw and "." in raw:  # the last one is the decimal separator
        thousands = "." if raw.rfind(",") > raw.rfind(".") else ","
        raw = raw.replace(thousands, "").replace(",", ".")
    elif "," in raw:
        if raw.count(",") > 1:
            raise CellError(_("Nombre illisible (exemple attendu : 1 234,50)."))
        raw = raw.replace(",", ".")
    elif raw.count(".") > 1:
        raw = raw.replace(".", "")
    if not re.fullmatch(r"[-+]?\d+(\.\d+)?", raw):
        raise CellError(_("Nombre illisible (exemple attendu : 1 234,50)."))
    try:
        return Decimal(raw)
    except InvalidOperation as exc:  # pragma: no cover - the pattern above rules it out
        raise CellError(_("Nombre illisible (exemple attendu : 1 234,50).")) from exc


def integer(value) -> int:
    number = decimal(value)
    if number != number.to_integral_value():
        raise CellError(_("Nombre entier attendu."))
    return int(number)


def year(value) -> int:
    """« 1975 », or a date whose year is kept."""
    if isinstance(value, date):
        return value.year
    try:
        return integer(value)
    except CellError:
        return parse_date(value).year


def parse_date(value) -> date:
    """« 31/12/2024 », « 31-12-24 », « 2024-12-31 », with or without a time, or a date cell."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raw = as_text(value)
    match = _DATE_FR.match(raw)
    if match:
        day, month, year_ = (int(part) for part in match.groups())
        if year_ < 100:
            year_ += 2000 if year_ < 70 else 1900
    else:
        match = _DATE_ISO.match(raw)
        if not match:
            raise CellError(_("Date illisible (format attendu : JJ/MM/AAAA)."))
        year_, month, day = (int(part) for part in match.groups())
    try:
        return date(year_, month, day)
    except ValueError as exc:
        raise CellError(_("Cette date n'existe pas.")) from exc


_TRUE = {"oui", "o", "vrai", "x", "1", "yes", "y", "true"}
_FALSE = {"non", "n", "faux", "0", "no", "false"}


def boolean(value) -> bool:
    if isinstance(value, bool):
        return value
    key = normalise(as_text(value))
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise CellError(_("Réponse attendue : oui ou non."))


def choice(choices, extra: dict | None = None):
    """A value of a TextChoices/IntegerChoices, given as its code or its French label."""
    table = {}
    for code, label in choices:
        table[normalise(code)] = code
        table[normalise(label)] = code
        table[normalise(str(label).split(" — ")[0])] = code
        table[normalise(str(label).split(" (")[0])] = code
    for word, code in (extra or {}).items():
        table[normalise(word)] = code
    allowed = ", ".join(str(label).split(" — ")[0] for _code, label in choices)

    def parse(value):
        key = normalise(as_text(value))
        if key not in table:
            raise CellError(_("Valeur inconnue ; valeurs possibles : %(allowed)s.") % {"allowed": allowed})
        return table[key]

    return parse
