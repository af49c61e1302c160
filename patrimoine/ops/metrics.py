"""Prometheus metrics (the official `prometheus_client`), exposed by /metrics.

HTTP metrics keep django-prometheus's names, so that its Grafana dashboards work unchanged:
- `django_http_requests_latency_seconds_by_view_method` (histogram, labels view and method);
- `django_http_responses_total_by_status_view_method_total` (counter: 5xx are the errors);
- `django_http_exceptions_total_by_type_total` and `…_by_view_total` (uncaught exceptions).
Patrimoine's own:
- `patrimoine_jobs_queue_depth`, `patrimoine_jobs_oldest_wait_seconds`, `patrimoine_jobs_running`
  (gauges read from the job queue table at each scrape, so right whatever process serves it);
- `patrimoine_field_sync_operations_total` (counter, labels entry and status): operations the
  technicians' phones sent to the field app's sync endpoints.

Several worker processes (gunicorn): set PROMETHEUS_MULTIPROC_DIR to an empty folder writable by
the workers before they start (wiped at each start), and call `patrimoine.ops.gunicorn.child_exit`
from gunicorn's `child_exit` hook; /metrics then adds up every worker's counters.
"""

import os
import time
from functools import wraps

from django.db import DatabaseError
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, multiprocess
from prometheus_client.core import GaugeMetricFamily

# django-prometheus's default buckets.
LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 25.0, 50.0, 75.0)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNRESOLVED = "<unresolved>"

REQUEST_LATENCY = Histogram(
    "django_http_requests_latency_seconds_by_view_method",
    "Histogram of request processing time labelled by view.",
    ["view", "method"],
    buckets=LATENCY_BUCKETS,
)
RESPONSES = Counter(
    "django_http_responses_total_by_status_view_method",
    "Count of responses by status, view, method.",
    ["status", "view", "method"],
)
EXCEPTIONS_BY_TYPE = Counter("django_http_exceptions_total_by_type", "Count of exceptions by object type.", ["type"])
EXCEPTIONS_BY_VIEW = Counter("django_http_exceptions_total_by_view", "Count of exceptions by view.", ["view"])
FIELD_SYNC_OPERATIONS = Counter(
    "patrimoine_field_sync_operations",
    "Operations received from the field app (entry point, answer: applique, conflit, refuse, invalide).",
    ["entry", "status"],
)


def _view(request) -> str:
    match = getattr(request, "resolver_match", None)
    return match.view_name if match is not None else UNRESOLVED


def _method(request) -> str:
    return request.method if request.method in METHODS else "other"


class MetricsMiddleware:
    """Times every request (near the top of MIDDLEWARE) and counts responses and exceptions."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        view, method = _view(request), _method(request)
        REQUEST_LATENCY.labels(view, method).observe(time.perf_counter() - started)
        RESPONSES.labels(str(response.status_code), view, method).inc()
        return response

    def process_exception(self, request, exception):
        EXCEPTIONS_BY_TYPE.labels(type(exception).__name__).inc()
        EXCEPTIONS_BY_VIEW.labels(_view(request)).inc()


def sync_counted(entry: str):
    """Count each answer of a field sync service by its status (decorates the service)."""

    def decorate(service):
        @wraps(service)
        def counted(*args, **kwargs):
            answer = service(*args, **kwargs)
            FIELD_SYNC_OPERATIONS.labels(entry, str(answer.get("status"))).inc()
            return answer

        return counted

    return decorate


class JobQueueCollector:
    """The job queue's gauges, read from the database when Prometheus scrapes."""

    def describe(self):
        # Names only: registering the collector must not query the database.
        return self._families()

    def _families(self):
        return (
            GaugeMetricFamily("patrimoine_jobs_queue_depth", "Background jobs ready to run, waiting for a worker."),
            GaugeMetricFamily(
                "patrimoine_jobs_oldest_wait_seconds", "Seconds the oldest job ready to run has waited (0: none)."
            ),
            GaugeMetricFamily("patrimoine_jobs_running", "Background jobs being run by a worker."),
        )

    def collect(self):
        from django_tasks_db.models import DBTaskResult

        from patrimoine.ops.checks import close_broken_connection, queue_backlog

        depth, wait, running = self._families()
        try:
            backlog = queue_backlog()
            depth.add_metric([], backlog.depth)
            wait.add_metric([], backlog.oldest_wait_seconds)
            running.add_metric([], DBTaskResult.objects.running().count())
        except DatabaseError:
            close_broken_connection()
            return  # database down: no figure rather than a wrong one (and /readyz says why)
        yield from (depth, wait, running)


JOB_QUEUE = JobQueueCollector()
_registered = False


def multiprocess_mode() -> bool:
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


def register_collectors() -> None:
    """Once per process (AppConfig.ready): the job queue's gauges join the default registry."""
    global _registered
    if not _registered:
        REGISTRY.register(JOB_QUEUE)
        _registered = True


def exposition_registry():
    """The registry /metrics exposes: this process's, or every worker's in multiprocess mode."""
    if not multiprocess_mode():
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    registry.register(JOB_QUEUE)
    return registry
