"""The portal's « done when » in real Chromium: a citizen files a report with the keyboard only, and
an agent files one at the counter, then the person follows it from the tracking link."""

import os
import re

import pytest
from django.core.cache import cache
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from conftest import access_of, browser_login
from patrimoine.organisations.models import Membership
from patrimoine.portal.models import PublicReport
from patrimoine.portal.services import public_reply_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
Role = Membership.Role
SHOTS = os.environ.get("PORTAL_SCREENSHOTS")  # a folder: save screenshots of the pages walked


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()


@pytest.fixture
def nesmy(f):
    epci, (nesmy,) = f.epci_with_communes("Nesmy")
    f.trade("electricite", "Électricité")
    f.building(nesmy, "École Jules Ferry", address="3 rue des Écoles", city="Nesmy")
    f.user("accueil.nesmy", role=Role.REQUESTER, organisation=nesmy)
    f.user("chef.nesmy", role=Role.TEAM_LEAD, organisation=nesmy)
    return nesmy


def _shot(page, name):
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def _tab_to(page, selector: str, limit: int = 60) -> None:
    """Press Tab until the element matching `selector` has the focus (keyboard only)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_a_citizen_files_a_report_with_the_keyboard_only(page, nesmy):
    page.goto(f"/signaler/{nesmy.slug}/")
    _shot(page, "portal-1")
    _tab_to(page, "input[name=categorie]")
    page.keyboard.press("Space")  # the first tile: « Éclairage public »
    expect(page.locator("#cat-eclairage")).to_be_checked()
    _tab_to(page, "#id_lieu")
    page.keyboard.type("12 rue des Lilas")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Dites-nous en plus")).to_be_visible()
    _shot(page, "portal-2")
    _tab_to(page, "#id_description")
    page.keyboard.type("Le lampadaire devant le 12 ne s'allume plus le soir.")
    _tab_to(page, "#id_contact_email")
    page.keyboard.type("martin@example.org")
    _tab_to(page, "#id_contact_consent")
    page.keyboard.press("Space")
    _tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Merci, votre signalement est bien reçu.")).to_be_visible()
    _shot(page, "portal-3")
    with scopes_disabled():
        report = PublicReport.objects.select_related("work_request").get()
    assert report.contact_consent and report.work_request.channel == "citoyen"
    assert report.work_request.reference in page.content() and f"/suivi/{report.token}/" in page.url


def test_the_counter_files_for_a_person_who_follows_it_from_the_tracking_link(page, browser, live_server, nesmy):
    browser_login(page, "accueil.nesmy")
    page.get_by_role("link", name="Accueil du public").click()
    page.get_by_text("Éclairage public").click()
    page.get_by_label("Adresse ou lieu précis").fill("Place de l'église")
    page.get_by_label("Description du problème").fill("Lampadaire éteint depuis trois jours")
    page.get_by_label("Nom de la personne").fill("M. Martin")
    page.get_by_label("Son téléphone").fill("02 51 00 00 00")
    page.get_by_label("Rappel par téléphone").check()
    page.get_by_label(re.compile("La personne accepte")).check()
    _shot(page, "counter-1")
    page.get_by_role("button", name="Enregistrer et imprimer le reçu").click()
    expect(page.get_by_role("heading", name=re.compile(r"Votre demande n° DI-"))).to_be_visible()
    _shot(page, "counter-2")
    page.emulate_media(media="print")
    expect(page.locator(".main-nav")).to_be_hidden()
    page.emulate_media(media="screen")
    link = page.locator(".tracking-link a").get_attribute("href")
    path = "/" + link.split("/", 3)[3]
    page.goto("/accueil/a-rappeler/")
    expect(page.get_by_text("M. Martin")).to_be_visible()

    with scopes_disabled():
        report = PublicReport.objects.select_related("work_request").get()
        chef = access_of(report.work_request.organisation.memberships.get(role=Role.TEAM_LEAD).user)
        public_reply_create(access=chef, work_request=report.work_request, text="Réparation prévue jeudi.")
    person = browser.new_context(base_url=live_server.url, locale="fr-FR")
    tracking = person.new_page()
    tracking.goto(path)
    expect(tracking.get_by_role("heading", name=f"Signalement {report.work_request.reference}")).to_be_visible()
    expect(tracking.get_by_text("Reçue — en attente de tri")).to_be_visible()
    expect(tracking.get_by_text("Réparation prévue jeudi.")).to_be_visible()
    assert "M. Martin" not in tracking.content() and "02 51" not in tracking.content()
    _shot(tracking, "counter-3")
    person.close()
