"""The import engine: every row is read with the mapping, checked and written through the services
of its app, inside ONE transaction that is rolled back when any row fails or on a dry run.

A dry run therefore finds exactly the errors the real import would meet (duplicate codes within the
file, unknown parents, refused values…), and a real import writes all rows or none.
"""

import re
from collections import Counter
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django_scopes import scope

from patrimoine.core.errors import DomainError, PermissionRefused
from patrimoine.imports import cells, writers
from patrimoine.imports.models import Kind
from patrimoine.imports.reading import Table
from patrimoine.imports.schema import FIELDS, fields_of
from patrimoine.organisations.access import Access
from patrimoine.reporting import rollups

PREVIEW_ROWS = 10
PROGRESS_EVERY = 50

# What a role needs, on top of `imports.run`, to import each kind (the same as entering it by hand).
KIND_ACTIONS = {
    Kind.BUILDINGS: "assets.change",
    Kind.SPACES: "assets.change",
    Kind.EQUIPMENT: "assets.change",
    Kind.ITEMS: "stock.manage",
    Kind.CONTRACTORS: "imports.run",
    Kind.WORKORDERS: "workorders.plan",
}


@dataclass
class RowError:
    line: int
    column: str
    value: str
    reason: str

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Outcome:
    rows: int = 0
    counts: Counter = field(default_factory=Counter)
    errors: list[RowError] = field(default_factory=list)
    preview: dict = field(default_factory=dict)
    committed: bool = False


def may_import(access: Access, organisation, kind: str) -> bool:
    return (
        access.has("imports.run")
        and access.has(KIND_ACTIONS[kind])
        and organisation is not None
        and organisation.pk in access.write_org_ids
    )


def check_mapping(kind: str, headers: list[str], mapping: dict[str, str]) -> None:
    """Refuse a mapping that misses a required field or uses a field twice."""
    known = fields_of(kind)
    used = [key for key in mapping.values() if key]
    unknown = [key for key in used if key not in known]
    if unknown:
        raise DomainError(_("Champ inconnu : %(keys)s.") % {"keys": ", ".join(unknown)})
    twice = sorted({str(known[key].label) for key in used if used.count(key) > 1})
    if twice:
        raise DomainError(_("Plusieurs colonnes alimentent le même champ : %(fields)s.") % {"fields": ", ".join(twice)})
    if any(not index.isdigit() or int(index) >= len(headers) for index in mapping):
        raise DomainError(_("La correspondance désigne une colonne absente du fichier."))
    missing = [str(f.label) for f in FIELDS[kind] if f.required and f.key not in used]
    if missing:
        raise DomainError(
            _("Indiquez quelle colonne contient : %(fields)s (champ obligatoire).") % {"fields": ", ".join(missing)}
        )


def run(
    *,
    access: Access,
    organisation,
    kind: str,
    table: Table,
    mapping: dict[str, str],
    commit: bool,
    on_progress: Callable[[int], None] | None = None,
) -> Outcome:
    if not may_import(access, organisation, kind):
        raise PermissionRefused(_("Votre rôle ne permet pas cet import pour cette collectivité."))
    check_mapping(kind, table.headers, mapping)
    known = fields_of(kind)
    columns = sorted((int(index), known[key]) for index, key in mapping.items() if key)
    header_of = {f.key: table.headers[index] or f"#{index + 1}" for index, f in columns}
    order = {header: position for position, header in enumerate(header_of.values())}  # errors in column order
    outcome = Outcome(rows=len(table.rows), preview=_preview(table, columns))
    context = writers.Context(access=access, organisation=organisation)
    writer = writers.WRITERS[kind]
    # Historical orders: the dashboards' rollups are recomputed once at the end, not row by row.
    orders = kind == Kind.WORKORDERS
    with scope(organisation=[organisation.pk]), transaction.atomic(), rollups.paused() if orders else nullcontext():
        for number, (line, row) in enumerate(table.rows, start=1):
            values, raw, errors = _read_row(line, row, columns, header_of)
            if not errors:
                errors = _write_row(writer, context, values, raw, line, header_of, outcome.counts)
            else:
                errors += [
                    RowError(line, header_of.get(exc.field, ""), raw.get(exc.field, ""), exc.message)
                    for exc in writers.reference_errors(context, values)
                ]
                errors.sort(key=lambda error: order.get(error.column, 0))
            outcome.errors.extend(errors)
            if on_progress is not None and number % PROGRESS_EVERY == 0:
                on_progress(number)
        outcome.committed = commit and not outcome.errors
        if outcome.committed and orders:
            rollups.rebuild([organisation.pk])
        elif not outcome.committed:
            transaction.set_rollback(True)
    if on_progress is not None:
        on_progress(outcome.rows)
    return outcome


def _preview(table: Table, columns) -> dict:
    return {
        "columns": [str(f.label) for _index, f in columns],
        "rows": [
            [line, [cells.as_text(row[index]) for index, _f in columns]] for line, row in table.rows[:PREVIEW_ROWS]
        ],
    }


def _read_row(line: int, row: list, columns, header_of) -> tuple[dict, dict, list[RowError]]:
    values, raw, errors = {}, {}, []
    for index, f in columns:
        cell = row[index] if index < len(row) else None
        raw[f.key] = cells.as_text(cell)
        if cells.is_blank(cell):
            if f.required:
                errors.append(RowError(line, header_of[f.key], "", _("Valeur obligatoire manquante.")))
            continue
        if isinstance(cell, str):
            cell = cell.strip()
        try:
            values[f.key] = f.parse(cell)
        except cells.CellError as exc:
            errors.append(RowError(line, header_of[f.key], raw[f.key], str(exc)))
    return values, raw, errors


def _write_row(writer, context, values, raw, line, header_of, counts: Counter) -> list[RowError]:
    try:
        with transaction.atomic():
            created = writer(context, values)
    except writers.Invalid as exc:
        return [RowError(line, header_of.get(exc.field, ""), raw.get(exc.field, ""), exc.message)]
    except DomainError as exc:
        column = _blamed_column(exc.message, raw)
        return [RowError(line, header_of.get(column, ""), raw.get(column, ""), exc.message)]
    except IntegrityError:
        return [RowError(line, "", "", _("Cette ligne contredit une règle de la base de données (doublon ?)."))]
    counts.update(created)
    return []


def _blamed_column(message: str, raw: dict) -> str:
    """The field whose value a service's message quotes (« B12 » est déjà utilisé → the code column)."""
    quoted = set(re.findall(r"« ([^»]*) »", message))
    return next((key for key, value in raw.items() if value and value in quoted), "")
