"""Each request has an id: in the X-Request-ID header, in every log line of the request, and on the
error page the user sees (« Référence de l'incident »), so that a support call can be traced."""

import io
import json
import logging
import logging.config
import re
import uuid

import pytest
from django.test import Client

from patrimoine.ops.logs import logging_config

pytestmark = pytest.mark.django_db
HEX_ID = re.compile(r"^[0-9a-f]{32}$")


@pytest.fixture
def json_logs():
    """The project's logging as LOG_FORMAT=json configures it, its console written where the test reads it."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    logging.config.dictConfig(logging_config("json", "INFO"))
    buffer = io.StringIO()
    (console,) = root.handlers
    console.setStream(buffer)
    yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines() if line.startswith("{")]
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])


def _reference(html: str) -> str:
    match = re.search(r"Référence de l(?:'|&#x27;)incident : <code>([^<]+)</code>", html)
    assert match, html
    return match.group(1)


@pytest.mark.urls("patrimoine.ops.tests.urls_boom")
def test_a_server_error_shows_its_reference_and_the_json_log_has_it(json_logs):
    client = Client(raise_request_exception=False)
    response = client.get("/panne/")
    assert response.status_code == 500
    request_id = response["X-Request-ID"]
    assert HEX_ID.match(request_id)
    html = response.content.decode()
    assert "pas pu traiter votre demande" in html  # 500.html, not the plain fallback
    assert _reference(html) == request_id
    errors = [line for line in json_logs() if line["level"] == "ERROR"]
    assert errors, "the error was not logged"
    line = errors[0]
    assert line["request_id"] == request_id
    assert line["logger"] == "django.request"
    assert "panne simulée" in line["exc_info"]
    assert {"time", "message"} <= set(line)


@pytest.mark.urls("patrimoine.ops.tests.urls_boom")
def test_the_error_page_stands_even_when_its_template_cannot_render(settings):
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [], "APP_DIRS": False}]  # no 500.html anywhere
    response = Client(raise_request_exception=False).get("/panne/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Une erreur est survenue" in html and "pas pu traiter" not in html
    assert _reference(html) == response["X-Request-ID"]


def test_a_well_formed_request_id_from_nginx_is_kept(client):
    incoming = uuid.uuid4().hex  # nginx's $request_id: 32 hexadecimal digits
    response = client.get("/page-qui-n-existe-pas/", HTTP_X_REQUEST_ID=incoming)
    assert response.status_code == 404
    assert response["X-Request-ID"] == incoming
    assert _reference(response.content.decode()) == incoming


def test_a_malformed_request_id_is_replaced(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID='"><script>alert(1)</script>')
    assert HEX_ID.match(response["X-Request-ID"])


def test_the_forbidden_page_shows_its_reference(client, f):
    client.force_login(f.user("curieux"))
    response = client.get("/exploitation/")
    assert response.status_code == 403
    assert _reference(response.content.decode()) == response["X-Request-ID"]


def test_every_log_line_of_a_request_carries_its_id(client, json_logs):
    response = client.get("/page-qui-n-existe-pas/")
    lines = [line for line in json_logs() if line["logger"] == "django.request"]
    assert lines and all(line["request_id"] == response["X-Request-ID"] for line in lines)
    assert lines[0]["message"].startswith("Not Found")
