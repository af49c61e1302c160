"""Writing millions of rows fast and in bounded memory: PostgreSQL's COPY, batched INSERTs on SQLite.

`RowWriter(model)` takes one dict per row (attribute names → Python values); every concrete column
the dict leaves out gets the field's default, so a row is always complete. Rows are streamed: the
writer never holds more than one batch.
"""

from django.db import connection

BATCH = 5_000


class RowWriter:
    def __init__(self, model, *, batch: int = BATCH):
        self.model = model
        # An auto-increment key (M2M through tables) is left to the database.
        self.fields = [
            f
            for f in model._meta.concrete_fields
            if f.get_internal_type() not in ("AutoField", "BigAutoField", "SmallAutoField")
        ]
        # A callable default (uuid4, now) must be given per row: one value for all rows would be wrong.
        self.required = {f.attname for f in self.fields if f.has_default() and callable(f.default)}
        self.required |= {
            f.attname for f in self.fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        }
        self.defaults = {f.attname: f.get_default() for f in self.fields if f.attname not in self.required}
        self.columns = [f.column for f in self.fields]
        self.table = model._meta.db_table
        self.batch = batch
        self.pending: list[tuple] = []
        self.count = 0
        self.postgres = connection.vendor == "postgresql"
        # psycopg adapts UUID, Decimal, dates and datetimes itself; SQLite needs Django's conversions.
        self.prepare = [
            (f.get_db_prep_save if (not self.postgres or f.get_internal_type() == "JSONField") else None)
            for f in self.fields
        ]

    def add(self, **values) -> None:
        if missing := self.required - values.keys():
            raise ValueError(f"{self.model.__name__}: missing {sorted(missing)}")
        row = []
        for field, prepare in zip(self.fields, self.prepare, strict=True):
            value = values[field.attname] if field.attname in values else self.defaults.get(field.attname)
            if prepare is not None:
                value = prepare(value, connection)
            row.append(value)
        self.pending.append(tuple(row))
        if len(self.pending) >= self.batch:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        quoted = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        with connection.cursor() as cursor:
            if self.postgres:
                raw = cursor.cursor
                with raw.copy(f"COPY {connection.ops.quote_name(self.table)} ({quoted}) FROM STDIN") as copy:
                    for row in self.pending:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                table = connection.ops.quote_name(self.table)  # names from the model, values as parameters
                cursor.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({marks})", self.pending)  # noqa: S608
        self.count += len(self.pending)
        self.pending = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if exc[0] is None:
            self.flush()
