"""Migrations stay backward compatible for one release (expand / contract).

During a rolling upgrade the app servers still running the previous release use the new schema
(`manage.py upgrade` migrates first, then the servers restart one by one). So a migration may add
(tables, nullable columns, columns with a database default, indexes) but not take away what the
previous release reads or writes. Removing or renaming happens in two releases: release N stops
using the column (expand), release N+1 drops it (contract) — that contract migration is listed in
CONTRACT_MIGRATIONS with the release that stopped using what it removes.

`breaking_operations()` finds the operations that break the previous release; the test
patrimoine/deploy/tests/test_migration_rules.py fails on any not allowed here.
"""

from django.db import migrations
from django.db.migrations.loader import MigrationLoader
from django.db.models import NOT_PROVIDED

# The last migration of each app when the rule was introduced: the first public release had no
# previous release to stay compatible with. Never move these forward.
BASELINE = {
    "accounts": "0002_oidcidentity",
    "api": "0001_initial",
    "assets": "0004_search_text_and_level_space_status",
    "budgets": "0001_initial",
    "chargeback": "0001_initial",
    "contractors": "0002_initial",
    "core": "0002_audit_chain",
    "costs": "0001_initial",
    "deploy": "0001_initial",
    "documents": "0001_initial",
    "field": "0001_initial",
    "imports": "0001_initial",
    "intake": "0002_requester_building_search_text",
    "maintenance": "0002_statutory_catalogue",
    "open311": "0001_initial",
    "organisations": "0002_trades",
    "portal": "0001_initial",
    "purchasing": "0001_initial",
    "reversibility": "0001_initial",
    "stock": "0003_alter_stockmovement_kind",
    "triage": "0002_trades",
    "workorders": "0003_validated_by_organisation_index",
}

# Contract migrations, allowed to break the release before the one that stopped using what they
# remove: {("app", "0007_remove_x"): "release N stopped reading x"}.
CONTRACT_MIGRATIONS: dict[tuple[str, str], str] = {}


def _number(name: str) -> int:
    return int(name.split("_", 1)[0])


def _after_baseline(app: str, name: str) -> bool:
    return app not in BASELINE or _number(name) > _number(BASELINE[app])


def _not_null_without_db_default(field) -> bool:
    return not field.null and field.db_default is NOT_PROVIDED and not field.many_to_many


def _problems(operation, app: str, created: set[str], state) -> list[str]:
    kind = type(operation).__name__
    if isinstance(operation, migrations.SeparateDatabaseAndState):
        return [p for op in operation.database_operations for p in _problems(op, app, created, state)]
    if isinstance(
        operation,
        migrations.RemoveField
        | migrations.DeleteModel
        | migrations.RenameField
        | migrations.RenameModel
        | migrations.AlterModelTable,
    ):
        return [f"{kind} {operation.describe()}"]
    if isinstance(operation, migrations.AddField) and operation.model_name_lower not in created:
        if _not_null_without_db_default(operation.field):
            return [f"AddField NOT NULL sans db_default : {operation.model_name}.{operation.name}"]
    if isinstance(operation, migrations.AlterField) and _not_null_without_db_default(operation.field):
        before = state.models[app, operation.model_name_lower].fields[operation.name]
        if before.null:
            return [f"AlterField vers NOT NULL sans db_default : {operation.model_name}.{operation.name}"]
    return []


def breaking_operations(apps_prefix: str = "patrimoine.") -> list[str]:
    """`app.migration: operation` for every operation after the baseline that breaks the previous release."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    ours = {
        key
        for key, migration in loader.disk_migrations.items()
        if type(migration).__module__.startswith(apps_prefix) and _after_baseline(*key)
    }
    found = []
    for key in sorted(ours - CONTRACT_MIGRATIONS.keys()):
        migration = loader.graph.nodes[key]
        if migration.initial:  # a new app's tables: the previous release never used them
            continue
        created = {op.name_lower for op in migration.operations if isinstance(op, migrations.CreateModel)}
        needs_state = any(isinstance(op, migrations.AlterField) for op in migration.operations)
        state = loader.project_state(key, at_end=False) if needs_state else None
        for operation in migration.operations:
            found += [f"{key[0]}.{key[1]}: {p}" for p in _problems(operation, key[0], created, state)]
            if state is not None:
                operation.state_forwards(key[0], state)
    return found
