"""The periodic scheduler: django-tasks-db has a worker but no clock, so `maintenance_scheduler`
ticks every minute and enqueues the periodic jobs when their slot comes:

- the generation of every organisation's plans, every `generation_minutes` (default 60);
- the overdue-inspection alerts, once a day from 07:00 (Europe/Paris);
- the managers' weekly digest, once a week from Monday 07:00;
- the training of each organisation's triage model (`triage` app), once a night between 02:00 and 06:00.
- the anonymisation of personal data past its retention period, once a day from 07:00 (trust app).

A slot is claimed by inserting a unique `SchedulerSlot(job, slot)` row in the same transaction as
the queued task: two schedulers running at once (or one restarted in the same hour) enqueue each job
once. A scheduler that was down catches up at its next tick (the slot of the day or week is still
open), without replaying the slots it missed.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import GenerationRun, SchedulerSlot

MORNING_HOUR = 7
TRIAGE_TRAINING_HOURS = (2, 6)
KEEP_SLOTS_DAYS = 60


@dataclass(frozen=True)
class Due:
    job: str
    slot: str


def due_slots(now: datetime, *, generation_minutes: int = 60) -> list[Due]:
    local = timezone.localtime(now)
    minute_of_day = local.hour * 60 + local.minute
    due = [Due("generation", f"{local:%Y-%m-%d}T{minute_of_day // generation_minutes:04d}/{generation_minutes}")]
    if local.hour >= MORNING_HOUR:
        due.append(Due("overdue_alerts", f"{local:%Y-%m-%d}"))
        due.append(Due("privacy_retention", f"{local:%Y-%m-%d}"))
    year, week, weekday = local.isocalendar()
    if weekday > 1 or local.hour >= MORNING_HOUR:
        due.append(Due("weekly_digest", f"{year}-W{week:02d}"))
    if TRIAGE_TRAINING_HOURS[0] <= local.hour < TRIAGE_TRAINING_HOURS[1]:
        due.append(Due("triage_training", f"{local:%Y-%m-%d}"))
    return due


def _enqueue(job: str) -> None:
    from . import tasks

    if job == "generation":
        run = GenerationRun.objects.create(organisation=None)
        tasks.generate_maintenance_work_orders.enqueue(run_id=run.pk)
    elif job == "overdue_alerts":
        tasks.notify_overdue_inspections.enqueue()
    elif job == "weekly_digest":
        tasks.send_weekly_digests.enqueue()
    elif job == "triage_training":
        from patrimoine.triage.tasks import train_all_models

        train_all_models.enqueue()
    elif job == "privacy_retention":
        from patrimoine.trust.tasks import anonymise_expired_personal_data

        anonymise_expired_personal_data.enqueue()
    else:  # pragma: no cover — the list above is the only source of jobs
        raise ValueError(job)


def tick(now: datetime | None = None, *, generation_minutes: int = 60) -> list[str]:
    """Enqueue the jobs whose slot is open and not yet claimed; returns their names."""
    now = now or timezone.now()
    enqueued = []
    for due in due_slots(now, generation_minutes=generation_minutes):
        try:
            with transaction.atomic():
                SchedulerSlot.objects.create(job=due.job, slot=due.slot)
                _enqueue(due.job)
        except IntegrityError:
            continue  # another scheduler (or an earlier tick) has it
        enqueued.append(due.job)
    SchedulerSlot.objects.filter(enqueued_at__lt=now - timedelta(days=KEEP_SLOTS_DAYS)).delete()
    return enqueued
