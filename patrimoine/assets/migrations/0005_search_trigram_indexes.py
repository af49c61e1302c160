"""Trigram indexes for the registry search (`search_text LIKE '%word%'`), on PostgreSQL only."""

from django.db import migrations

from patrimoine.core.postgres import postgres_sql, trigram_extension

TABLES = ("assets_site", "assets_building", "assets_equipment")


class Migration(migrations.Migration):
    dependencies = [("assets", "0004_search_text_and_level_space_status")]

    operations = [
        trigram_extension(),
        *(
            postgres_sql(
                f"CREATE INDEX IF NOT EXISTS {table}_search_trgm ON {table} USING gin (search_text gin_trgm_ops)",
                f"DROP INDEX IF EXISTS {table}_search_trgm",
            )
            for table in TABLES
        ),
    ]
