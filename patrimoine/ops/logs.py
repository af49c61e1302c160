"""Logging configuration: one line per event on standard error, each with the request id.

`LOG_FORMAT=json` writes one JSON object per line (python-json-logger) for a log collector
(journald, Loki, Elasticsearch…); the default is a human-readable line for development.
The request id comes from django-guid's context variable, set by its middleware for each request.
"""

import logging

from django_guid.context import guid

HUMAN = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"
JSON_FIELDS = ["asctime", "levelname", "name", "message", "request_id"]


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record: the current request's id, or "-" outside a request (jobs,
    commands)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = guid.get() or "-"
        return True


def logging_config(log_format: str, level: str) -> dict:
    """The LOGGING setting for `log_format` "human" or "json"."""
    from pythonjsonlogger.core import RESERVED_ATTRS

    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "patrimoine.ops.logs.RequestIdFilter"}},
        "formatters": {
            "human": {"format": HUMAN},
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": JSON_FIELDS,
                "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
                "datefmt": "%Y-%m-%dT%H:%M:%S%z",
                # The HttpRequest Django attaches to its own records is not data.
                "reserved_attrs": [*RESERVED_ATTRS, "request"],
            },
        },
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": log_format, "filters": ["request_id"]},
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # django-guid says at INFO level, on every request, whether the id came with it.
            "django_guid": {"level": "WARNING"},
        },
    }
