"""Test harness shared by every app: real databases (SQLite or PostgreSQL from DATABASE_URL),
fast password hashing, a temporary media folder, and real headless Chromium for browser tests."""

import os
import shutil

import pytest
from django_scopes import scopes_disabled

from patrimoine.core.reference_data import load_reference_data
from patrimoine.organisations.access import access_for_user
from patrimoine.testing import factories

# Session fixtures from patrimoine/testing/: `throwaway_postgres` (a PostgreSQL cluster a test may stop),
# the real OpenID Connect provider (agents' SSO and citizens' sign-in): `oidc_provider`, `citizen_sso`.
pytest_plugins = ["patrimoine.testing.postgres", "patrimoine.testing.oidc"]

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Sign-in hardening is tested in patrimoine/accounts/tests, which turns these back on. Elsewhere:
    # administrators are not sent to TOTP enrolment, and django-axes (which refuses the test
    # client's `login()`, made without a request) stays out of the way.
    settings.TWO_FACTOR_REQUIRED_FOR_ADMINS = False
    settings.AXES_ENABLED = False
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.RATELIMIT_ENABLED = False  # a test of a limit turns it on (see patrimoine/core/ratelimit.py)
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Transactional tests (browser tests) flush every table after they run, reference data from
    data migrations included (trades, equipment categories): load it again, as migrations did."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        return
    request.getfixturevalue("transactional_db")
    load_reference_data()


@pytest.fixture
def unscoped():
    """Let a test read any organisation's rows directly (to check what a view did)."""
    with scopes_disabled():
        yield


@pytest.fixture
def f():
    """The factories module, e.g. `f.building(org)`."""
    return factories


def access_of(user, organisation=None):
    """The Access a request by `user` acting for `organisation` would get."""
    return access_for_user(user, organisation.pk if organisation else None)


@pytest.fixture
def login(client):
    """`login(user, organisation=None)` signs the test client in, acting for `organisation`."""

    def _login(user, organisation=None):
        client.force_login(user)
        if organisation is not None:
            session = client.session
            session["active_organisation_id"] = organisation.pk
            session.save()
        return client

    return _login


# --- Browser tests: real Chromium from Debian, driven by Playwright (never a downloaded browser).


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium introuvable ({CHROMIUM}) : installez le paquet Debian « chromium ».")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="fr-FR", timezone_id="Europe/Paris")
    context.set_default_timeout(15000)
    pg = context.new_page()
    yield pg
    context.close()


def browser_login(page, username, password=factories.PASSWORD):
    page.goto("/compte/connexion/")
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()
