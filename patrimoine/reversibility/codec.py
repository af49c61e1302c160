"""Stable serialisation of one value: the same row always gives the same bytes.

Dates and times in ISO 8601 (datetimes in UTC), decimals as plain strings (« 1234.50 »), UUIDs in
their canonical form, JSON compact with keys in field order and non-ASCII characters kept.
"""

import csv
import datetime
import io
import json
import uuid
from decimal import Decimal

from django.utils.duration import duration_iso_string


def plain(value):
    """A database value as a JSON-ready value."""
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return duration_iso_string(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def line(row: dict) -> str:
    return json.dumps(row, ensure_ascii=False, separators=(",", ":"), sort_keys=False)


def jsonl(rows: list[dict]) -> bytes:
    return "".join(line(r) + "\n" for r in rows).encode()


def csv_bytes(header: list[str], rows: list[dict]) -> bytes:
    """Semicolon-separated UTF-8 with a BOM (opens as is in a French spreadsheet); JSON cells as JSON."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        cells = []
        for name in header:
            value = row.get(name)
            if value is None:
                cells.append("")
            elif isinstance(value, dict | list):
                cells.append(line(value))
            elif isinstance(value, bool):
                cells.append("1" if value else "0")
            else:
                cells.append(str(value))
        writer.writerow(cells)
    return ("\ufeff" + out.getvalue()).encode()


def parse_jsonl(data: bytes) -> list[dict]:
    return [json.loads(text) for text in data.decode().splitlines() if text.strip()]


def json_pretty(value) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=2) + "\n").encode()
