"""Gunicorn hook for Prometheus's multiprocess mode (see patrimoine/ops/metrics.py).

In the gunicorn configuration file:

    from patrimoine.ops.gunicorn import child_exit  # noqa: F401

with PROMETHEUS_MULTIPROC_DIR set to an empty folder (e.g. systemd's RuntimeDirectory) for the
master and its workers. A worker that exits leaves its counters to the sum; its gauges go.
"""

import os


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
