"""/metrics: Prometheus's text format with the latency histogram by view, the job queue's depth and
the field sync counter, for the allowed addresses or the bearer token only."""

import json
import uuid

import pytest
from prometheus_client.parser import text_string_to_metric_families

from patrimoine.organisations.models import Membership
from patrimoine.trust.tasks import anonymise_expired_personal_data

pytestmark = pytest.mark.django_db


def scrape(client, **headers) -> dict:
    """{(sample name, frozenset of labels): value} of one scrape."""
    response = client.get("/metrics", **headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def test_metrics_show_the_latency_of_each_view(client):
    client.get("/healthz")
    client.get("/readyz")
    samples = scrape(client)
    count = "django_http_requests_latency_seconds_by_view_method_count"
    assert samples[(count, frozenset({"view": "healthz", "method": "GET"}.items()))] >= 1
    assert samples[(count, frozenset({"view": "ops:readyz", "method": "GET"}.items()))] >= 1
    bucket = ("django_http_requests_latency_seconds_by_view_method_bucket", "healthz")
    assert any(name == bucket[0] and ("view", bucket[1]) in labels for name, labels in samples)
    responses = "django_http_responses_total_by_status_view_method_total"
    assert samples[(responses, frozenset({"status": "200", "view": "healthz", "method": "GET"}.items()))] >= 1


def test_the_queue_depth_gauge_follows_the_real_queue(client):
    depth = ("patrimoine_jobs_queue_depth", frozenset())
    before = scrape(client)[depth]
    anonymise_expired_personal_data.enqueue()
    anonymise_expired_personal_data.enqueue()
    after = scrape(client)
    assert after[depth] == before + 2
    assert after[("patrimoine_jobs_oldest_wait_seconds", frozenset())] >= 0


def test_field_sync_operations_are_counted_by_answer(client, f):
    org = f.organisation("Nesmy")
    technician = f.user(role=Membership.Role.TECHNICIAN, organisation=org)
    client.force_login(technician)

    def counted(status):
        labels = frozenset({"entry": "operation", "status": status}.items())
        return scrape(client).get(("patrimoine_field_sync_operations_total", labels), 0)

    before = counted("invalide"), counted("refuse")
    operations = [
        {"type": "temps"},  # no id, no order: invalid
        {"id": str(uuid.uuid4()), "type": "controle", "order": str(uuid.uuid4()), "item": str(uuid.uuid4())},
    ]
    body = json.dumps({"operations": operations})
    response = client.post("/terrain/api/sync/", body, content_type="application/json")
    assert [r["status"] for r in response.json()["results"]] == ["invalide", "refuse"]
    assert (counted("invalide"), counted("refuse")) == (before[0] + 1, before[1] + 1)


def test_metrics_are_refused_to_other_addresses(client):
    response = client.get("/metrics", REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 403
    assert b"django_http" not in response.content


def test_behind_an_untrusted_proxy_only_the_token_opens_metrics(client, settings):
    """Behind nginx every request comes from 127.0.0.1: a forwarded request needs the token."""
    settings.TRUSTED_PROXY_COUNT = 0
    settings.METRICS_TOKEN = "jeton-de-supervision"
    forwarded = {"HTTP_X_FORWARDED_FOR": "203.0.113.7"}
    assert client.get("/metrics", **forwarded).status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer mauvais", **forwarded).status_code == 403
    scrape(client, HTTP_AUTHORIZATION="Bearer jeton-de-supervision", REMOTE_ADDR="203.0.113.7", **forwarded)


def test_an_allowed_network_opens_metrics(client, settings):
    settings.METRICS_ALLOWED_IPS = ["10.20.0.0/16"]
    assert client.get("/metrics").status_code == 403  # loopback is no longer listed
    scrape(client, REMOTE_ADDR="10.20.3.4")
