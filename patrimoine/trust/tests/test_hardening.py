"""Hardening: deploy checks, CSP, CSRF, rate limiting, upload checks, no secrets in the repository."""

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver
from PIL import Image

from patrimoine.core.errors import DomainError
from patrimoine.core.ratelimit import hit, parse_rate, ratelimit
from patrimoine.documents.services import upload_check

ROOT = Path(settings.BASE_DIR)


def test_check_deploy_is_clean_under_production_settings(tmp_path):
    env = {
        # (the browser fixture sets DJANGO_ALLOW_ASYNC_UNSAFE for the live server: not a deployment's)
        **{k: v for k, v in os.environ.items() if k not in ("DEBUG", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")},
        "PATRIMOINE_ENV": "production",
        "SECRET_KEY": "x7!Qm2#pV9zL4@wR8^tY1&uK6*oN3(eB5)sD0_gH-jF+aC=iX?vM",
        "ALLOWED_HOSTS": "patrimoine.agglo.example.fr",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    }
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env.update(PATRIMOINE_ENV="production", DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}")
    done = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode != 0 and "SECRET_KEY" in done.stderr


def test_csp_has_no_unsafe_inline_and_is_sent(client):
    for directive, sources in settings.SECURE_CSP.items():
        assert not any("unsafe" in str(s) for s in sources), directive
    response = client.get("/compte/connexion/")
    header = response["Content-Security-Policy"]
    assert "script-src 'self'" in header and "unsafe" not in header


def test_templates_have_no_inline_script_or_style():
    offenders = []
    for template in ROOT.glob("patrimoine/**/templates/**/*.html"):
        if template.name.endswith("_pdf.html"):  # rendered to PDF by WeasyPrint, never served as a page
            continue
        text = template.read_text()
        for match in re.finditer(r"<script(?![^>]*\bsrc=)[^>]*>", text):
            if 'type="application/json"' not in match.group(0) and "type='application/json'" not in match.group(0):
                offenders.append(f"{template.relative_to(ROOT)}: {match.group(0)}")
        if re.search(r"\sstyle=\"", text) or re.search(r"<style[\s>]", text):
            offenders.append(f"{template.relative_to(ROOT)}: inline style")
    assert offenders == []


def _views(patterns=None):
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            yield from _views(entry.url_patterns)
        elif isinstance(entry, URLPattern):
            yield entry


# Machine-to-machine APIs authenticated by a key or a bearer token sent with each request, never by
# the session cookie: CSRF (a browser replaying its cookies) does not apply to them.
CSRF_FREE_APIS = ("patrimoine.open311.", "patrimoine.api.", "ninja.")


def test_no_view_is_exempt_from_csrf():
    exempt = [
        f"{p.callback.__module__}: {p.pattern}"
        for p in _views()
        if getattr(p.callback, "csrf_exempt", False) and not p.callback.__module__.startswith(CSRF_FREE_APIS)
    ]
    assert exempt == []
    assert "django.middleware.csrf.CsrfViewMiddleware" in settings.MIDDLEWARE


def test_no_secret_is_committed():
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    patterns = [
        re.compile(r"-----BEGIN (RSA |EC |OPENSSH |DSA )?PRIVATE KEY-----"),
        re.compile(r"AKIA[0-9A-Z]{16}"),
        re.compile(r"""SECRET_KEY\s*=\s*["'](?!demo-only)[^"']{20,}["']"""),
        re.compile(r"postgres(ql)?://[^:@/\s]+:[^@/\s]{6,}@"),
    ]
    found = []
    for name in tracked:
        path = ROOT / name
        if not path.is_file() or path.suffix in (".png", ".jpg", ".woff2", ".pdf", ".ico") or "tests/" in name:
            continue
        text = path.read_text(errors="ignore")
        found += [f"{name}: {p.pattern}" for p in patterns if p.search(text)]
    assert found == []


# --- Rate limiting -----------------------------------------------------------------------------------


def test_parse_rate():
    assert parse_rate("30/m") == (30, 60)
    assert parse_rate("5/10m") == (5, 600)
    assert parse_rate("100/d") == (100, 86400)
    with pytest.raises(ValueError):
        parse_rate("trente par minute")


def test_the_decorator_answers_429_past_the_limit(settings):
    settings.RATELIMIT_ENABLED = True

    @ratelimit(rate="3/m", methods=("POST",), group="test-decorator")
    def view(request):
        return HttpResponse("ok")

    factory = RequestFactory()
    statuses = [view(factory.post("/", REMOTE_ADDR="198.51.100.1")).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = view(factory.post("/", REMOTE_ADDR="198.51.100.1"))
    assert int(refused["Retry-After"]) >= 1 and "Trop de demandes" in refused.content.decode()
    assert view(factory.get("/", REMOTE_ADDR="198.51.100.1")).status_code == 200  # GET is not counted
    assert view(factory.post("/", REMOTE_ADDR="198.51.100.2")).status_code == 200  # another client


def test_hit_counts_per_key(settings):
    settings.RATELIMIT_ENABLED = True
    assert [hit("test-hit", "a@example.org", rate="2/h")[0] for _ in range(3)] == [True, True, False]
    assert hit("test-hit", "b@example.org", rate="2/h")[0]


@pytest.mark.django_db
def test_ical_feeds_are_rate_limited(client, settings, f):
    settings.RATELIMIT_ENABLED = True
    building = f.building(f.organisation("Nesmy"), "Gymnase")
    url = f"/maintenance/ical/jeton-devine/batiments/{building.pk}.ics"
    statuses = {client.get(url, REMOTE_ADDR="203.0.113.9").status_code for _ in range(61)}
    assert statuses == {404, 429}


# --- Uploads ---------------------------------------------------------------------------------------


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    return buffer.getvalue()


def test_uploads_are_typed_from_their_content():
    assert upload_check(SimpleUploadedFile("scan.pdf", b"%PDF-1.7\n1 0 obj")) == "application/pdf"
    assert upload_check(SimpleUploadedFile("photo.jpg", _png())) == "image/png"  # the name does not decide
    for name, content in (
        ("page.pdf", b"<html><script>alert(1)</script></html>"),
        ("image.png", b"<svg xmlns='http://www.w3.org/2000/svg'><script/></svg>"),
        ("outil.pdf", b"MZ\x90\x00\x03\x00\x00\x00"),
        ("vide.pdf", b""),
        ("casse.png", _png()[:40]),
    ):
        with pytest.raises(DomainError):
            upload_check(SimpleUploadedFile(name, content))


def test_uploads_are_size_limited(settings):
    settings.UPLOAD_MAX_BYTES = 1000
    with pytest.raises(DomainError, match="taille maximale"):
        upload_check(SimpleUploadedFile("gros.pdf", b"%PDF-1.7\n" + b"0" * 1000))


@pytest.mark.django_db
def test_uploaded_files_have_no_public_url(client, f):
    """Documents are served only by the checked view (/documents/<uuid>/), never from MEDIA_URL."""
    from patrimoine.documents.services import document_attach
    from patrimoine.organisations.models import Membership

    org = f.organisation("Nesmy")
    admin = f.user("admin.nesmy", role=Membership.Role.ADMIN, organisation=org)
    document = document_attach(
        actor=admin, target=f.building(org, "Mairie"), uploaded=SimpleUploadedFile("plan.pdf", b"%PDF-1.7\nplan")
    )
    client.force_login(admin)
    assert client.get(f"/{settings.MEDIA_URL}{document.file.name}").status_code == 404
    assert client.get(f"/documents/{document.pk}/").status_code == 200
    client.logout()
    assert client.get(f"/documents/{document.pk}/").status_code == 302  # to the sign-in page
