"""Generation on demand with its progress, the scheduler's slots, and the e-mails (overdue alerts
once per check, the weekly digest once per week), with per-user preferences."""

from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled
from django_tasks_db.models import DBTaskResult

from patrimoine.maintenance import notifications, scheduler
from patrimoine.maintenance.models import GenerationRun, NotificationPreference, SchedulerSlot
from patrimoine.maintenance.recurrence import PARIS
from patrimoine.maintenance.tasks import generate_maintenance_work_orders

from .world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(f, catalogue):
    return build_world(f)


# --- Generation on demand ---------------------------------------------------------------------


def test_a_manager_queues_a_generation_and_sees_it_progress(world, login, django_capture_on_commit_callbacks):
    client = login(world.users["gestionnaire"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("maintenance:generation"))
    assert response.status_code == 302
    run = GenerationRun.objects.get(organisation=world.org)
    task = DBTaskResult.objects.get()
    assert task.args_kwargs["kwargs"] == {"run_id": run.pk} and task.status == "READY"
    page = client.get(reverse("maintenance:generation"), HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 2s"' in page.content.decode()  # polled while it runs
    generate_maintenance_work_orders.call(run_id=run.pk)  # what the worker does (the real worker: test_worker)
    run.refresh_from_db()
    assert (run.status, run.plans_done, run.plans_total, run.percent) == ("termine", 3, 3, 100)
    assert 'hx-trigger="every 2s"' not in client.get(reverse("maintenance:generation")).content.decode()


def test_a_second_request_while_one_is_queued_is_refused(world, login):
    client = login(world.users["gestionnaire"])
    client.post(reverse("maintenance:generation"))
    response = client.post(reverse("maintenance:generation"))
    assert response.status_code == 400 and GenerationRun.objects.count() == 1


def test_a_reader_cannot_queue_a_generation(world, login):
    response = login(world.users["lecteur"]).post(reverse("maintenance:generation"))
    assert response.status_code == 403 and not GenerationRun.objects.exists()


def test_other_communes_runs_are_not_shown(world, login):
    GenerationRun.objects.create(organisation=world.other, plans_total=7)
    runs = login(world.users["gestionnaire"]).get(reverse("maintenance:generation")).context["runs"]
    assert runs == []


# --- Scheduler --------------------------------------------------------------------------------


def test_scheduler_enqueues_each_job_once_per_slot(db):
    monday = datetime(2026, 11, 30, 7, 5, tzinfo=PARIS)
    assert set(scheduler.tick(monday)) == {"generation", "overdue_alerts", "weekly_digest", "privacy_retention"}
    assert scheduler.tick(monday + timedelta(minutes=20)) == []  # same hour, same day, same week
    assert scheduler.tick(monday + timedelta(hours=1)) == ["generation"]
    assert scheduler.tick(monday + timedelta(days=1)) == ["generation", "overdue_alerts", "privacy_retention"]
    assert DBTaskResult.objects.count() == 8 and SchedulerSlot.objects.count() == 8


def test_before_seven_only_the_generation_runs(db):
    assert scheduler.tick(datetime(2026, 11, 30, 6, 0, tzinfo=PARIS)) == ["generation"]


def test_a_daily_generation(db):
    day = datetime(2026, 12, 2, 9, 0, tzinfo=PARIS)
    assert "generation" in scheduler.tick(day, generation_minutes=1440)
    assert "generation" not in scheduler.tick(day + timedelta(hours=10), generation_minutes=1440)


# --- E-mails ----------------------------------------------------------------------------------


def test_overdue_alert_goes_once_to_each_manager(world, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.overdue_alerts() == 2  # the manager and the administrator
    recipients = sorted(m.to[0] for m in mailoutbox)
    assert recipients == ["admin.nesmy@example.org", "gestionnaire.nesmy@example.org"]
    message = mailoutbox[0]
    assert "1 contrôle réglementaire en retard — Nesmy" == message.subject
    assert "Vérification annuelle des extincteurs" in message.body and "Zyxwvu" not in message.body
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.overdue_alerts() == 0
    assert len(mailoutbox) == 2


def test_overdue_alerts_respect_preferences(world, mailoutbox, django_capture_on_commit_callbacks):
    NotificationPreference.objects.create(user=world.users["admin"], overdue_alerts=False)
    with django_capture_on_commit_callbacks(execute=True):
        notifications.overdue_alerts()
    assert [m.to[0] for m in mailoutbox] == ["gestionnaire.nesmy@example.org"]


def test_weekly_digest_once_a_week(world, mailoutbox, django_capture_on_commit_callbacks):
    NotificationPreference.objects.create(user=world.users["admin"], weekly_digest=False)
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.weekly_digests(today) == 1
        assert notifications.weekly_digests(today) == 0
    (message,) = mailoutbox
    assert message.to == ["gestionnaire.nesmy@example.org"]
    body = message.body
    assert "1 contrôle en retard" in body and "1 contrôle à échéance" in body and "1 réserve à lever" in body
    assert "BAES hors service" in body and "Obturateurs absents" not in body  # cleared


def test_no_digest_for_a_commune_without_plans(f, mailoutbox, django_capture_on_commit_callbacks):
    org = f.organisation("Aubigny")
    f.user("gestionnaire.aubigny", role="gestionnaire", organisation=org)
    with django_capture_on_commit_callbacks(execute=True), scopes_disabled():
        assert notifications.weekly_digests() == 0
    assert mailoutbox == []
