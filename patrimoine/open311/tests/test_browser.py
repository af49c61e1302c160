"""The Open311 page in real Chromium: publish the services, create a key (shown once), use it, revoke
it — and axe-core (WCAG 2.1 A/AA) finds nothing on the page."""

from pathlib import Path
from urllib.parse import urlencode

import pytest

from conftest import browser_login
from patrimoine.organisations.models import Membership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
AXE = (Path(__file__).resolve().parents[2] / "tests" / "vendor" / "axe.min.js").read_text()


def _violations(page) -> list[str]:
    page.evaluate(AXE)
    return page.evaluate(
        "async () => (await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})).violations"
        ".map(v => `${v.id}: ${v.help} ${v.nodes.slice(0,2).map(n => n.target).join(' | ')}`)"
    )


def _post(page, key: str):
    data = {"api_key": key, "jurisdiction_id": "la-chaize", "service_code": "voirie", "address_string": "Rue Haute"}
    return page.request.post(
        "/open311/v2/requests.json",
        data=urlencode(data),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )


def test_admin_opens_open311_for_a_citizen_app(page, f):
    org = f.organisation("La Chaize")
    admin = f.user("admin.chaize", role=Membership.Role.ADMIN, organisation=org)
    browser_login(page, admin.username)
    page.get_by_role("link", name="Open311").click()
    page.get_by_role("button", name="Publier les services par défaut").click()
    assert page.get_by_role("cell", name="Trottoir, chaussée, nid-de-poule").is_visible()
    page.get_by_label("Application").fill("Signalements Vendée")
    page.get_by_label("Application").press("Enter")
    key = page.get_by_label("Clé d'API").input_value()
    assert len(key) >= 40
    assert _violations(page) == []
    assert _post(page, key).status == 200
    page.goto("/open311/")
    assert key not in page.content()
    assert page.get_by_role("row", name="Signalements Vendée").get_by_text("1", exact=True).is_visible()
    page.get_by_role("button", name="Révoquer la clé de Signalements Vendée").click()
    assert page.get_by_text("révoquée le").is_visible()
    assert _violations(page) == []
    assert _post(page, key).status == 403
