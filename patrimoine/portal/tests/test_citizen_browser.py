"""In real Chromium on a 390 px phone: a citizen signs in through the REAL identity provider
(tools/oidc-provider, the citizens' client), files a report and finds it in « Mes signalements »; a
second citizen does not see it. And the counter texts a receipt through a REAL local SMS gateway, whose
link opens the tracking page."""

import os
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from conftest import browser_login
from patrimoine.organisations.models import Membership
from patrimoine.portal.models import CitizenIdentity, CitizenMessage, PublicReport
from patrimoine.testing.sms_gateway import sms_gateway

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
Role = Membership.Role
PHONE = {"width": 390, "height": 844}
SHOTS = os.environ.get("PORTAL_SCREENSHOTS")  # a folder: save screenshots of the pages walked
LABEL = "Se connecter avec Identité citoyenne de test"


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()


@pytest.fixture
def nesmy(f):
    epci, (nesmy,) = f.epci_with_communes("Nesmy")
    f.trade("electricite", "Électricité")
    f.user("accueil.nesmy", role=Role.REQUESTER, organisation=nesmy)
    return nesmy


def _shot(page, name):
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def _at_provider(page, login):
    page.wait_for_url(re.compile(r"127\.0\.0\.1:\d+/interaction/"))
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("peu-importe")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()  # consent


def test_a_citizen_signs_in_files_a_report_and_finds_it_a_second_citizen_does_not(
    page, browser, live_server, nesmy, citizen_sso, settings
):
    users_before = get_user_model().objects.count()
    page.set_viewport_size(PHONE)
    page.goto(f"/signaler/{nesmy.slug}/")
    page.get_by_role("link", name=LABEL).click()
    _at_provider(page, "marie")
    page.wait_for_url(f"**/signaler/{nesmy.slug}/")
    expect(page.get_by_text("Connecté(e) : Marie")).to_be_visible()

    page.get_by_text("Éclairage public").click()
    page.get_by_label("Adresse ou lieu").fill("12 rue des Lilas")
    page.get_by_role("button", name="Continuer").click()
    expect(page.get_by_label("Votre adresse électronique")).to_have_value("marie.durand@example.net")
    expect(page.get_by_text("ce signalement apparaîtra dans « Mes signalements »")).to_be_visible()
    page.get_by_label("Décrivez le problème").fill("Le lampadaire devant le 12 ne s'allume plus.")
    page.get_by_label(re.compile("J'accepte que le service technique")).check()
    page.get_by_role("button", name="Envoyer le signalement").click()
    expect(page.get_by_text("Merci, votre signalement est bien reçu.")).to_be_visible()
    with scopes_disabled():
        report = PublicReport.objects.select_related("work_request", "citizen").get()
    assert report.citizen.given_name == "Marie" and report.contact_email == "marie.durand@example.net"

    page.get_by_role("link", name="Mes signalements").click()
    expect(page.get_by_role("heading", name="Mes signalements", level=1)).to_be_visible()
    link = page.get_by_role("link", name=f"Signalement {report.work_request.reference}")
    expect(link).to_be_visible()
    _shot(page, "mes-signalements-390")
    link.click()
    expect(page.get_by_role("heading", name=f"Signalement {report.work_request.reference}")).to_be_visible()

    # RP-initiated logout: the portal forgets Marie, then the provider (after its confirmation).
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url(re.compile(r"127\.0\.0\.1:\d+/session/end"))
    page.get_by_role("button", name="Yes, sign me out").click()
    page.wait_for_url(re.compile(r"/signaler/deconnexion/\?state="))
    expect(page.get_by_role("heading", name="Vous êtes déconnecté(e)")).to_be_visible()

    # A second citizen, on another phone: first with a portal misconfigured (wrong issuer), the ID
    # token is refused; then, configured right, Paul sees none of Marie's reports.
    other = browser.new_context(base_url=live_server.url, locale="fr-FR", viewport=PHONE)
    other.set_default_timeout(15000)
    paul = other.new_page()
    real_issuer = settings.CITIZEN_OIDC_ISSUER
    settings.CITIZEN_OIDC_ISSUER = "http://127.0.0.1:9/autre-fournisseur"
    paul.goto("/signaler/mes-signalements/")
    paul.get_by_role("link", name=LABEL).click()
    _at_provider(paul, "paul")
    expect(paul.get_by_text("n'a pas abouti")).to_be_visible()
    assert CitizenIdentity.objects.count() == 1
    settings.CITIZEN_OIDC_ISSUER = real_issuer
    paul.get_by_role("link", name=LABEL).click()  # the provider remembers Paul: straight back
    expect(paul.get_by_text("Connecté(e) : Paul")).to_be_visible()
    expect(paul.get_by_text("Vous n'avez pas encore envoyé de signalement")).to_be_visible()
    assert report.work_request.reference not in paul.content()
    other.close()

    assert CitizenIdentity.objects.count() == 2
    assert (
        get_user_model().objects.count() == users_before
        and not Membership.objects.filter(user__email__endswith="example.net").exists()
    )


def test_the_counter_texts_the_receipt_and_the_link_opens_the_tracking_page(
    page, browser, live_server, nesmy, settings
):
    settings.PORTAL_BASE_URL = live_server.url
    page.set_viewport_size(PHONE)
    browser_login(page, "accueil.nesmy")
    page.goto("/accueil/")
    page.get_by_text("Éclairage public").click()
    page.get_by_label("Adresse ou lieu précis").fill("Place de l'église")
    page.get_by_label("Description du problème").fill("Lampadaire éteint depuis trois jours")
    page.get_by_label("Nom de la personne").fill("Mme Roux")
    page.get_by_label("Son téléphone").fill("06 12 34 56 78")
    page.get_by_label("Rappel par téléphone").check()
    page.get_by_label(re.compile("La personne accepte que ses coordonnées")).check()
    page.get_by_label(re.compile("recevoir le reçu par SMS")).check()
    page.get_by_role("button", name="Enregistrer et imprimer le reçu").click()
    expect(page.get_by_role("heading", name=re.compile(r"Votre demande n° DI-"))).to_be_visible()
    with sms_gateway(settings) as gateway:
        page.get_by_role("button", name="Envoyer par SMS au 06 12 34 56 78").click()
        expect(page.get_by_text("Le reçu a été envoyé par SMS au 06 •• •• •• 78.")).to_be_visible()
    expect(page.get_by_role("heading", name="Envois à la personne")).to_be_visible()
    _shot(page, "recu-sms-390")
    assert len(gateway.received) == 1 and gateway.received[0]["body"]["recipients"] == ["+33612345678"]
    text = gateway.received[0]["body"]["message"]["text"]
    url = re.search(r"https?://\S+", text).group(0)
    with scopes_disabled():
        report = PublicReport.objects.select_related("work_request").get()
        assert CitizenMessage.objects.get().outcome == CitizenMessage.Outcome.SENT
    assert report.work_request.reference in text and len(text) <= 160

    person = browser.new_context(locale="fr-FR", viewport=PHONE)
    tracking = person.new_page()
    tracking.goto(url)
    expect(tracking.get_by_role("heading", name=f"Signalement {report.work_request.reference}")).to_be_visible()
    assert "Mme Roux" not in tracking.content() and "06 12" not in tracking.content()
    person.close()
