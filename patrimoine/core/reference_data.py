"""National reference lists shipped as data migrations (trades, equipment categories).

`load_reference_data()` loads them again, idempotently, with the same code the migrations run: for
a database whose tables were flushed (transactional tests, a wiped demo) rather than migrated.
"""

import importlib

from django.apps import apps

REFERENCE_DATA_MIGRATIONS = [
    "patrimoine.organisations.migrations.0002_trades",
    "patrimoine.assets.migrations.0003_equipment_categories",
    "patrimoine.triage.migrations.0002_trades",
]


def load_reference_data() -> None:
    for module in REFERENCE_DATA_MIGRATIONS:
        importlib.import_module(module).load(apps, None)
