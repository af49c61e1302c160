"""Background jobs, run by the database-backed worker (`manage.py db_worker`, django-tasks-db).

Thin: each calls the domain function and returns a JSON summary (kept in the task result)."""

import logging

from django.tasks import task
from django.utils import timezone

from . import generation, notifications
from .models import GenerationRun

logger = logging.getLogger(__name__)


@task
def generate_maintenance_work_orders(run_id: int | None = None, organisation_id: int | None = None) -> dict:
    """Generate occurrences and due work orders; report progress on the `GenerationRun` row."""
    run = GenerationRun.objects.filter(pk=run_id).first() if run_id is not None else None
    if run is not None:
        organisation_id = run.organisation_id
        GenerationRun.objects.filter(pk=run.pk).update(status=GenerationRun.Status.RUNNING, started_at=timezone.now())

    def report(progress: generation.Progress) -> None:
        if run is not None:
            GenerationRun.objects.filter(pk=run.pk).update(**progress.as_dict())

    try:
        progress = generation.generate_due(
            organisation_ids=[organisation_id] if organisation_id is not None else None, on_progress=report
        )
    except Exception as exc:
        if run is not None:
            GenerationRun.objects.filter(pk=run.pk).update(
                status=GenerationRun.Status.FAILED, error=str(exc)[:300], finished_at=timezone.now()
            )
        raise
    if run is not None:
        GenerationRun.objects.filter(pk=run.pk).update(
            **progress.as_dict(), status=GenerationRun.Status.DONE, finished_at=timezone.now()
        )
    logger.info("Maintenance generation: %s", progress.as_dict())
    return progress.as_dict()


@task
def notify_overdue_inspections() -> dict:
    return {"messages": notifications.overdue_alerts()}


@task
def send_weekly_digests() -> dict:
    return {"messages": notifications.weekly_digests()}
