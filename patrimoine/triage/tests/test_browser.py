"""In real Chromium: the team lead sees the assistant's suggestion and a probable duplicate on the
request's page, merges the duplicate in one click, then accepts the other suggestion in one click; the
administrator reads the figures and switches the assistant off."""

import os

import pytest
from django_scopes import scopes_disabled

from conftest import browser_login
from patrimoine.intake.models import WorkRequest
from patrimoine.intake.tests.conftest import acting, world  # noqa: F401 — the fixture
from patrimoine.triage.models import Suggestion
from patrimoine.workorders.models import WorkOrder

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _file(user, description, building):
    from patrimoine.intake import services

    with acting(user) as access:
        return services.work_request_create(access=access, description=description, building=building)


def test_lead_merges_a_duplicate_then_accepts_the_suggestion_in_one_click(world, page, f):  # noqa: F811
    with scopes_disabled():
        f.space(f.level(world.school), "Gymnase")
    first = _file(world.nadia, "La porte du gymnase ferme mal, elle claque", world.school)
    second = _file(world.paul, "porte du gymnase qui ferme mal depuis hier", world.school)

    browser_login(page, "chef.epci")
    page.goto(f"/demandes/{second.pk}/")
    panel = page.locator(".ai-panel")
    assert "Serrurerie" in panel.inner_text() and "parce que" in panel.inner_text()
    assert "Gymnase" in panel.locator(".ai-place").inner_text()
    assert first.reference in panel.locator(".ai-duplicates").inner_text()
    if os.environ.get("TRIAGE_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["TRIAGE_SCREENSHOTS"], "triage-panel.png"), full_page=True)
    panel.get_by_role("button", name=f"Fusionner avec {first.reference}").click()
    page.wait_for_load_state()

    page.goto(f"/demandes/{first.pk}/")
    page.locator(".ai-panel").get_by_role("button", name="Accepter la suggestion").click()
    page.wait_for_load_state()
    with scopes_disabled():
        first.refresh_from_db()
        second.refresh_from_db()
        assert second.status == WorkRequest.Status.MERGED and second.duplicate_of == first
        assert first.status == WorkRequest.Status.ACCEPTED and first.work_order.trade.code == "serrurerie"
        assert Suggestion.objects.get(work_request=first).outcome == Suggestion.Outcome.ACCEPTED
        assert WorkOrder.objects.count() == 1

    # The commune's administrator sees the figures and switches the assistant off.
    f.user("admin.nesmy", role="admin", organisation=world.nesmy)
    page.get_by_role("button", name="Se déconnecter").click()
    browser_login(page, "admin.nesmy")
    page.get_by_role("link", name="IA frugale").click()
    assert page.get_by_text("Temps CPU par suggestion").is_visible()
    figures = page.locator(".ai-figures").inner_text()
    assert "Suggestions de métier acceptées\n100 %" in figures  # the merged request is not counted
    if os.environ.get("TRIAGE_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["TRIAGE_SCREENSHOTS"], "triage-admin.png"), full_page=True)
    page.get_by_label("Désactivé : aucune suggestion").check()
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_text("plus aucune suggestion n'est affichée").first.wait_for()
    with scopes_disabled():
        assert (
            Suggestion.objects.count() == 2
            and not WorkRequest.objects.filter(suggested_trade__isnull=False, status="nouvelle").exists()
        )
