"""Low-level helpers of the seed: create only what is missing, and keep the dates we give."""

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from django.apps import apps
from django.db import models

BATCH = 500


def ensure_rows(model: type[models.Model], key: Callable, objects: Iterable[models.Model], **scope) -> dict:
    """Store the objects whose natural key (`key(obj)`) is not in the database yet; return key → row.

    `scope` filters the existing rows to compare with (e.g. organisation_id__in=…). Rows already
    there are kept as they are: running the seed again creates nothing.
    """
    existing = {key(row): row for row in model._base_manager.filter(**scope)}
    missing = []
    for obj in objects:
        k = key(obj)
        if k not in existing:
            existing[k] = obj
            missing.append(obj)
    model._base_manager.bulk_create(missing, batch_size=BATCH)
    return existing


@contextmanager
def keep_given_timestamps() -> Iterator[None]:
    """Let rows carry the past dates we set on `created_at`, `updated_at` or `at` (history).

    `auto_now`/`auto_now_add` fields normally overwrite any value; while this is active they only
    fill a field left empty. Restored on exit.
    """
    patched = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.DateField) and (field.auto_now or field.auto_now_add):
                original = field.pre_save

                def pre_save(instance, add, _field=field, _original=original):
                    value = getattr(instance, _field.attname)
                    return value if value is not None else _original(instance, add)

                field.pre_save = pre_save
                patched.append(field)
    try:
        yield
    finally:
        for field in patched:
            del field.pre_save
