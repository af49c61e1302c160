"""Migration steps that only PostgreSQL runs (trigram and full-text indexes); SQLite skips them."""

from django.db import migrations


def postgres_sql(sql: str, reverse_sql: str) -> migrations.RunPython:
    """A migration operation running `sql` on PostgreSQL only (SQLite has neither GIN nor pg_trgm:
    there the same searches run as plain `LIKE` scans, which is fine at a test's size)."""

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    def backwards(apps, schema_editor):
        if reverse_sql and schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(reverse_sql)

    return migrations.RunPython(forwards, backwards, elidable=False)


def trigram_extension() -> migrations.RunPython:
    """pg_trgm (a trusted extension: the database owner may create it). Kept when migrating back,
    since several apps' indexes use it (Django's TrigramExtension would drop it under them)."""
    return postgres_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm", "")
