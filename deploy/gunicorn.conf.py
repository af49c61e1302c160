"""gunicorn for Patrimoine: one instance per port (systemd: patrimoine-web@8001, @8002…), behind nginx.

    gunicorn --config deploy/gunicorn.conf.py --bind 127.0.0.1:8001

Settings from the environment file (deploy/patrimoine.env.example): GUNICORN_WORKERS,
GUNICORN_TIMEOUT, GUNICORN_GRACEFUL_TIMEOUT, GUNICORN_MAX_REQUESTS, GUNICORN_LOG_LEVEL.

The application is not preloaded in the master: each worker imports it, so a reload (SIGHUP,
`systemctl reload`) or a restart runs the new code, and a worker that dies takes nothing with it.
A worker warms up (URLs, templates' first imports) before accepting requests: an instance answers
/healthz only when it is really ready, which the rolling restart waits for.
"""

import gc
import os
import sys
from pathlib import Path

# The application's folder (the one above deploy/), whatever the current directory.
chdir = str(Path(__file__).resolve().parent.parent)
sys.path.insert(0, chdir)

# Prometheus's multiprocess mode (PROMETHEUS_MULTIPROC_DIR, set by patrimoine-web@.service): a worker
# that exits leaves its counters to /metrics' sum (README « Exploitation »).
from patrimoine.ops.gunicorn import child_exit  # noqa: E402, F401

wsgi_app = "patrimoine.wsgi:application"
proc_name = "patrimoine"

# Sync workers: nginx buffers slow clients, so a worker is busy only while Django works. The
# usual rule: 2 × cores + 1 per machine, shared among the instances of that machine.
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
worker_class = "sync"
preload_app = False

# A request taking longer than this is killed (a report too big is better as a background job).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
# On SIGTERM, workers finish the requests they hold for up to this long before being stopped.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
# Recycle workers now and then (memory growth of long-lived processes), not all at once.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10

# nginx on the same machine adds X-Forwarded-For/Proto (Django reads them: TRUST_PROXY_HEADERS).
forwarded_allow_ips = "127.0.0.1,::1"
# nginx writes the access log (with the request id); gunicorn's errors go to the journal.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# No control socket (gunicornc): systemd and signals drive the instances, and several instances of
# one user would share its default path.
control_socket_disable = True


def post_worker_init(worker):
    """Load the URL configuration (and the views' imports) before the first request, then freeze
    what is loaded out of the garbage collector's sight: long collections stop pausing requests."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 — imports every view module
    gc.freeze()
