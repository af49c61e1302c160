"""/readyz: 200 when the database, the cache, the job queue and the disk are fine, 503 naming the
check that fails; no sign-in needed and nothing sensitive in the answer."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from patrimoine.trust.tasks import anonymise_expired_personal_data

pytestmark = pytest.mark.django_db


def test_readyz_is_healthy_without_signing_in(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "queue", "disk"}
    assert all(check["ok"] for check in body["checks"].values())
    assert response["Cache-Control"].startswith("max-age=0")


def test_readyz_reveals_no_path_nor_database_name(client, settings):
    text = client.get("/readyz").content.decode()
    assert str(settings.MEDIA_ROOT) not in text
    assert str(connection.settings_dict["NAME"]) not in text


def test_a_queue_waiting_too_long_makes_readyz_unhealthy(client, settings):
    settings.OPS_QUEUE_MAX_LAG_SECONDS = 300
    result = anonymise_expired_personal_data.enqueue()
    assert client.get("/readyz").status_code == 200  # just queued: no lag
    DBTaskResult.objects.filter(pk=result.id).update(enqueued_at=timezone.now() - timedelta(minutes=20))
    response = client.get("/readyz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["queue"]["ok"] is False
    assert checks["queue"]["detail"] == "1 en attente, la plus ancienne depuis 20 min (au plus 5 min)"
    assert checks["database"]["ok"] is True


def test_low_disk_space_makes_readyz_unhealthy(client, settings):
    settings.OPS_DISK_MIN_FREE_MB = 10**12  # more than any disk has
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["disk"]["ok"] is False
