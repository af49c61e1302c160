"""The citizen portal, the tracking page, the counter and the replies to citizens (test client)."""

import io

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scopes_disabled
from PIL import Image

from conftest import access_of
from patrimoine.documents.models import Document
from patrimoine.intake.models import WorkRequest
from patrimoine.intake.services import work_request_accept, work_request_reject
from patrimoine.organisations.models import Membership
from patrimoine.portal.models import PublicReply, PublicReport
from patrimoine.workorders.models import WorkOrder
from patrimoine.workorders.services import work_order_transition

pytestmark = pytest.mark.django_db
Role = Membership.Role


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(f):
    epci, (nesmy, venansault) = f.epci_with_communes("Nesmy", "Venansault")
    f.trade("electricite", "Électricité")
    chef = f.user("chef.nesmy", role=Role.TEAM_LEAD, organisation=nesmy)
    agent = f.user("accueil.nesmy", role=Role.REQUESTER, organisation=nesmy)
    team = f.team(nesmy, "Régie", lead=chef, members=[chef])
    school = f.building(nesmy, "École Jules Ferry", address="3 rue des Écoles", city="Nesmy")
    v_agent = f.user("accueil.venansault", role=Role.MANAGER, organisation=venansault)
    return {
        "nesmy": nesmy,
        "venansault": venansault,
        "chef": chef,
        "agent": agent,
        "team": team,
        "school": school,
        "v_agent": v_agent,
    }


def _file(client, org, **extra):
    data = {
        "categorie": "eclairage",
        "lieu": "12 rue des Lilas",
        "lat": "",
        "lon": "",
        "description": "Le lampadaire est éteint",
    }
    data.update(extra)
    return client.post(f"/signaler/{org.slug}/", data)


def test_anyone_reports_a_problem_without_an_account_and_follows_it(client, world, django_capture_on_commit_callbacks):
    response = client.get(f"/signaler/{world['nesmy'].slug}/")
    assert response.status_code == 200 and "Éclairage public" in response.content.decode().replace("&#x27;", "'")
    response = client.get(f"/signaler/{world['nesmy'].slug}/", {"categorie": "eclairage", "lieu": "12 rue des Lilas"})
    assert "Décrivez le problème" in response.content.decode().replace("&#x27;", "'")
    with django_capture_on_commit_callbacks(execute=True):
        response = _file(
            client, world["nesmy"], contact_email="martin@example.org", contact_consent="on", contact_name="Jean Martin"
        )
    assert response.status_code == 302 and response["Location"].startswith("/suivi/")
    with scopes_disabled():
        report = PublicReport.objects.get()
        request = report.work_request
    assert request.channel == WorkRequest.Channel.CITIZEN and request.organisation == world["nesmy"]
    assert request.reference.startswith("DI-") and request.suggested_trade.code == "electricite"
    assert report.contact_consent and report.preferred_channel == PublicReport.Channel.EMAIL
    assert mail.outbox and report.token in mail.outbox[-1].body
    page = client.get(response["Location"]).content.decode().replace("&#x27;", "'")
    assert request.reference in page and "Reçue" in page
    assert "Jean Martin" not in page and "martin@example.org" not in page and "lampadaire" not in page


def test_bad_input_changes_nothing_and_says_why_in_french(client, world):
    response = _file(client, world["nesmy"], description="")
    assert response.status_code == 400 and "Décrivez le problème" in response.content.decode().replace("&#x27;", "'")
    response = _file(client, world["nesmy"], contact_email="a@example.org")  # no consent
    assert response.status_code == 400 and "Cochez la case" in response.content.decode().replace("&#x27;", "'")
    response = client.get(f"/signaler/{world['nesmy'].slug}/", {"categorie": "eclairage", "lieu": ""})
    assert "Indiquez l'adresse" in response.content.decode().replace("&#x27;", "'")
    with scopes_disabled():
        assert not WorkRequest.objects.exists() and not PublicReport.objects.exists()


def test_known_places_and_nearby_reports_are_offered_and_a_voice_is_added(client, world):
    _file(client, world["nesmy"])
    response = client.get(f"/signaler/{world['nesmy'].slug}/", {"categorie": "eclairage", "lieu": "rue des lilas"})
    body = response.content.decode().replace("&#x27;", "'")
    assert "Déjà signalé ? Ajoutez votre voix" in body
    with scopes_disabled():
        report = PublicReport.objects.get()
    response = client.post(f"/signaler/{world['nesmy'].slug}/moi-aussi/", {"signalement": report.pk})
    assert response.status_code == 302
    with scopes_disabled():
        assert PublicReport.objects.get().supporters == 1 and WorkRequest.objects.count() == 1
    body = (
        client.get(f"/signaler/{world['nesmy'].slug}/", {"categorie": "batiment", "lieu": "jules ferry"})
        .content.decode()
        .replace("&#x27;", "'")
    )
    assert "École Jules Ferry" in body and "Est-ce l'un de ces lieux" in body


def test_the_portal_of_one_commune_never_shows_another_communes_reports(client, world):
    _file(client, world["venansault"], lieu="rue des Lilas")
    body = (
        client.get(f"/signaler/{world['nesmy'].slug}/", {"categorie": "eclairage", "lieu": "rue des lilas"})
        .content.decode()
        .replace("&#x27;", "'")
    )
    assert "Déjà signalé" not in body
    with scopes_disabled():
        report = PublicReport.objects.get()
    client.post(f"/signaler/{world['nesmy'].slug}/moi-aussi/", {"signalement": report.pk})
    with scopes_disabled():
        assert PublicReport.objects.get().supporters == 0
    assert client.post(f"/signaler/{world['nesmy'].slug}/moi-aussi/", {"signalement": "pas-un-id"}).status_code == 302
    assert client.get("/signaler/inconnue/").status_code == 404
    assert client.get("/suivi/jeton-inconnu/").status_code == 404


def test_public_posts_are_throttled(client, world):
    for _ in range(10):
        _file(client, world["nesmy"], description="")
    response = _file(client, world["nesmy"])
    assert response.status_code == 429
    with scopes_disabled():
        assert not WorkRequest.objects.exists()


def test_a_photo_is_resized_and_stripped_before_it_is_stored(client, world):
    buffer = io.BytesIO()
    Image.new("RGB", (4000, 3000), "red").save(buffer, format="PNG")
    photo = SimpleUploadedFile("IMG_0001.png", buffer.getvalue(), content_type="image/png")
    response = _file(client, world["nesmy"], photo=photo)
    assert response.status_code == 302
    with scopes_disabled():
        document = Document.objects.get()
        with document.file.open("rb") as handle:
            image = Image.open(handle)
            assert max(image.size) == 1600 and image.format == "JPEG"


def test_counter_files_for_a_person_prints_a_receipt_and_lists_call_backs(client, login, world):
    login(world["agent"])
    response = client.post(
        "/accueil/",
        {
            "categorie": "eclairage",
            "lieu": "Place de l'église",
            "description": "Lampadaire cassé",
            "urgency": "normale",
            "contact_name": "M. Martin",
            "contact_phone": "02 51 00 00 00",
            "preferred_channel": "telephone",
            "contact_consent": "on",
        },
    )
    assert response.status_code == 302
    receipt = client.get(response["Location"]).content.decode().replace("&#x27;", "'")
    with scopes_disabled():
        report = PublicReport.objects.get()
    assert report.work_request.channel == WorkRequest.Channel.COUNTER and report.filed_by == world["agent"]
    assert report.work_request.reference in receipt and report.token in receipt
    assert "M. Martin" in client.get("/accueil/a-rappeler/").content.decode().replace("&#x27;", "'")
    client.post(f"/accueil/{report.pk}/rappele/")
    assert "M. Martin" not in client.get("/accueil/a-rappeler/").content.decode().replace("&#x27;", "'")
    # Another commune's agent reaches neither the receipt nor the call-back.
    login(world["v_agent"])
    assert client.get(f"/accueil/{report.pk}/recu/").status_code == 404
    assert client.post(f"/accueil/{report.pk}/rappele/").status_code == 404


def test_counter_requires_consent_and_the_channel_details(client, login, world):
    login(world["agent"])
    base = {"categorie": "voirie", "lieu": "Rue haute", "description": "Trou", "urgency": "normale"}
    response = client.post("/accueil/", {**base, "preferred_channel": "telephone", "contact_consent": "on"})
    assert response.status_code == 400 and "numéro de téléphone" in response.content.decode().replace("&#x27;", "'")
    response = client.post("/accueil/", {**base, "contact_name": "X", "preferred_channel": "aucun"})
    assert response.status_code == 400
    with scopes_disabled():
        assert not PublicReport.objects.exists()


def test_receipt_is_sent_by_email_with_consent(client, login, world):
    login(world["agent"])
    client.post(
        "/accueil/",
        {
            "categorie": "eau",
            "lieu": "Lavoir",
            "description": "Fuite",
            "urgency": "normale",
            "contact_email": "p@example.org",
            "preferred_channel": "courriel",
            "contact_consent": "on",
        },
    )
    with scopes_disabled():
        report = PublicReport.objects.get()
    mail.outbox.clear()
    client.post(f"/accueil/{report.pk}/recu/envoyer/")
    assert len(mail.outbox) == 1 and report.token in mail.outbox[0].body


def test_citizen_hears_of_acceptance_planning_completion_and_replies(client, login, world):
    _file(client, world["nesmy"], contact_email="martin@example.org", contact_consent="on")
    chef = access_of(world["chef"])
    with scopes_disabled():
        report = PublicReport.objects.select_related("work_request").get()
        mail.outbox.clear()
        from django.test import TestCase

        with TestCase.captureOnCommitCallbacks(execute=True):
            work_request_accept(access=chef, work_request=report.work_request)
        order = WorkOrder.objects.get()
        from patrimoine.workorders.services import work_order_plan

        with TestCase.captureOnCommitCallbacks(execute=True):
            work_order_plan(access=chef, work_order=order, expected_version=order.version, team=world["team"])
        order.refresh_from_db()
        work_order_transition(access=chef, work_order=order, to_status="en_cours", expected_version=order.version)
        order.refresh_from_db()
        with TestCase.captureOnCommitCallbacks(execute=True):
            work_order_transition(access=chef, work_order=order, to_status="termine", expected_version=order.version)
    subjects = [m.subject for m in mail.outbox if m.to == ["martin@example.org"]]
    assert any("pris en charge" in s for s in subjects)
    assert any("planifiée" in s for s in subjects)
    assert any("terminée" in s for s in subjects)
    login(world["chef"])
    page = client.get(f"/bons/{order.pk}/").content.decode().replace("&#x27;", "'")
    assert "Publier la réponse" in page
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(
            f"/accueil/demandes/{report.work_request.pk}/reponse/",
            {"text": "Lampe changée mardi.", "next": f"/bons/{order.pk}/"},
        )
    with scopes_disabled():
        assert PublicReply.objects.get().text == "Lampe changée mardi."
    assert "Lampe changée mardi." in mail.outbox[-1].body
    client.logout()
    assert "Lampe changée mardi." in client.get(f"/suivi/{report.token}/").content.decode().replace("&#x27;", "'")


def test_rejection_reason_reaches_the_citizen_and_a_reader_cannot_reply(client, login, f, world):
    _file(client, world["nesmy"], contact_email="martin@example.org", contact_consent="on")
    with scopes_disabled():
        report = PublicReport.objects.select_related("work_request").get()
        from django.test import TestCase

        with TestCase.captureOnCommitCallbacks(execute=True):
            work_request_reject(
                access=access_of(world["chef"]), work_request=report.work_request, reason="Relève du département"
            )
    assert "Relève du département" in mail.outbox[-1].body
    reader = f.user("lecteur.nesmy", role=Role.READER, organisation=world["nesmy"])
    login(reader)
    response = client.post(f"/accueil/demandes/{report.work_request.pk}/reponse/", {"text": "x"})
    assert response.status_code == 403
    with scopes_disabled():
        assert not PublicReply.objects.exists()


def test_accessibility_statement_is_public_and_linked_from_every_page(client, world):
    response = client.get("/accessibilite/")
    assert response.status_code == 200 and "Déclaration d'accessibilité" in response.content.decode().replace(
        "&#x27;", "'"
    )
    assert 'href="/accessibilite/"' in client.get(f"/signaler/{world['nesmy'].slug}/").content.decode().replace(
        "&#x27;", "'"
    )


def test_the_map_is_loaded_only_when_a_tile_server_is_configured(client, world, settings):
    body = client.get(f"/signaler/{world['nesmy'].slug}/").content.decode()
    assert "leaflet" not in body
    settings.PORTAL_MAP_TILE_URL = "https://tuiles.example.fr/{z}/{x}/{y}.png"
    body = client.get(f"/signaler/{world['nesmy'].slug}/").content.decode()
    assert "vendor/leaflet/leaflet.js" in body and 'data-tiles="https://tuiles.example.fr/{z}/{x}/{y}.png"' in body


def test_a_position_alone_is_enough_to_file_a_report(client, world):
    response = _file(client, world["nesmy"], lieu="", lat="46.591480", lon="-1.400350")
    assert response.status_code == 302
    with scopes_disabled():
        request = WorkRequest.objects.get()
    assert request.latitude is not None and "Position indiquée" in request.location_text
