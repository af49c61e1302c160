"""The counter texts the receipt: French mobile numbers only, with the person's consent and channel,
through a REAL local HTTP gateway (http.server in a thread); every sending is in the request's history."""

import pytest
from django.core.cache import cache
from django_scopes import scopes_disabled

from patrimoine.core.models import AuditEntry
from patrimoine.organisations.models import Membership
from patrimoine.portal.models import CitizenMessage, PublicReport
from patrimoine.portal.texting import GSM_BASIC, GSM_EXTENDED, french_mobile, gsm_length, masked, receipt_text
from patrimoine.testing.sms_gateway import TOKEN, sms_gateway

pytestmark = pytest.mark.django_db
Role = Membership.Role


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()


@pytest.fixture
def world(f):
    epci, (nesmy, venansault) = f.epci_with_communes("Nesmy", "Venansault")
    return {
        "nesmy": nesmy,
        "agent": f.user("accueil.nesmy", role=Role.REQUESTER, organisation=nesmy),
        "chef": f.user("chef.nesmy", role=Role.TEAM_LEAD, organisation=nesmy),
        "v_agent": f.user("accueil.venansault", role=Role.MANAGER, organisation=venansault),
    }


def _counter(client, **person):
    data = {
        "categorie": "eclairage",
        "lieu": "Place de l'église",
        "description": "Lampadaire éteint",
        "urgency": "normale",
        "contact_name": "Mme Roux",
        "contact_phone": "06 12 34 56 78",
        "preferred_channel": "telephone",
        "contact_consent": "on",
        "sms_consent": "on",
    }
    data.update(person)
    return client.post("/accueil/", {k: v for k, v in data.items() if v is not None})


def _report():
    with scopes_disabled():
        return PublicReport.objects.select_related("work_request", "organisation").get()


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("06 12 34 56 78", "+33612345678"),
        ("07.81.23.45.67", "+33781234567"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("0033781234567", "+33781234567"),
        ("02 51 00 00 00", None),  # a landline: called back, never texted
        ("0612", None),
        ("+32 470 12 34 56", None),  # a Belgian mobile
        ("", None),
    ],
)
def test_only_french_mobile_numbers_can_be_texted(typed, e164):
    assert french_mobile(typed) == e164


def test_the_receipt_text_fits_one_gsm_message_with_the_reference_and_the_link():
    url = "https://patrimoine.agglo-exemple.fr/suivi/" + "x" * 32 + "/"
    text = receipt_text(organisation_name="Saint-Étienne-du-Bois", reference="DI-2026-000123", url=url)
    assert "DI-2026-000123" in text and url in text
    assert gsm_length(text) <= 160 and all(c in GSM_BASIC or c in GSM_EXTENDED for c in text)
    long = receipt_text(organisation_name="Communauté d’agglomération " + "très " * 20, reference="DI-1", url=url)
    assert gsm_length(long) <= 160 and url in long and "Communaut" not in long
    assert masked("+33612345678") == "06 •• •• •• 78"


def test_sms_consent_needs_a_french_mobile_and_says_so_on_the_phone_field(client, login, world):
    login(world["agent"])
    response = _counter(client, contact_phone="02 51 00 00 00")
    body = response.content.decode().replace("&#x27;", "'")
    assert response.status_code == 400 and "n'est pas un numéro de mobile français" in body
    assert 'id="id_contact_phone_error"' in body or "errorlist" in body.split("id_contact_phone")[0][-400:]
    with scopes_disabled():
        assert not PublicReport.objects.exists()


def test_agent_texts_the_receipt_through_the_gateway_and_it_is_in_the_history(client, login, world, settings):
    login(world["agent"])
    assert _counter(client).status_code == 302
    report = _report()
    assert report.sms_consent
    receipt = client.get(f"/accueil/{report.pk}/recu/").content.decode()
    assert "Envoyer par SMS au 06 12 34 56 78" in receipt
    with sms_gateway(settings) as gateway:
        response = client.post(f"/accueil/{report.pk}/recu/sms/", follow=True)
    assert len(gateway.received) == 1
    sent = gateway.received[0]
    assert sent["headers"]["Authorization"] == f"Bearer {TOKEN}" and sent["path"] == "/v1/sms"
    assert sent["body"]["recipients"] == ["+33612345678"]
    assert sent["body"]["message"]["from"] == settings.DEFAULT_FROM_SMS
    text = sent["body"]["message"]["text"]
    assert report.work_request.reference in text and f"/suivi/{report.token}/" in text and len(text) <= 160
    page = response.content.decode()
    assert "Le reçu a été envoyé par SMS au 06 •• •• •• 78." in page and "Envoyé" in page
    with scopes_disabled():
        message = CitizenMessage.objects.get()
        assert (message.channel, message.outcome, message.recipient) == ("sms", "envoye", "06 •• •• •• 78")
        assert message.sent_by == world["agent"]
        entry = AuditEntry.objects.get(action="public_report.receipt_sms")
    assert entry.data["outcome"] == "envoye" and "0612345678" not in str(entry.data) + entry.message
    # The request's page (team leads, managers) shows the sending in the citizen's history.
    login(world["chef"])
    chef_page = client.get(f"/demandes/{report.work_request_id}/").content.decode()
    assert "reçu par SMS (06 •• •• •• 78)" in chef_page


def test_a_gateway_outage_is_recorded_and_told_in_french(client, login, world, settings):
    login(world["agent"])
    _counter(client)
    report = _report()
    with sms_gateway(settings) as gateway:
        gateway.status = 503
        page = client.post(f"/accueil/{report.pk}/recu/sms/", follow=True).content.decode().replace("&#x27;", "'")
    assert "Le SMS n'est pas parti (la passerelle SMS a répondu 503)" in page
    with scopes_disabled():
        message = CitizenMessage.objects.get()
    assert message.outcome == CitizenMessage.Outcome.FAILED and "503" in message.detail


def test_no_sms_without_consent_or_to_another_communes_report(client, login, world, settings):
    login(world["agent"])
    _counter(client, sms_consent=None)
    report = _report()
    assert "Envoyer par SMS" not in client.get(f"/accueil/{report.pk}/recu/").content.decode()
    with sms_gateway(settings) as gateway:
        page = client.post(f"/accueil/{report.pk}/recu/sms/", follow=True).content.decode().replace("&#x27;", "'")
        assert "La personne n'a pas accepté de recevoir des SMS" in page
        with scopes_disabled():
            PublicReport.objects.filter(pk=report.pk).update(sms_consent=True)
        login(world["v_agent"])
        assert client.post(f"/accueil/{report.pk}/recu/sms/").status_code == 404
    assert gateway.received == []
    with scopes_disabled():
        assert not CitizenMessage.objects.exists()


def test_a_person_who_wants_no_contact_is_never_texted(client, login, world, settings):
    login(world["agent"])
    _counter(client, preferred_channel="aucun")  # the box « SMS » ticked, but « ne souhaite pas être recontacté(e) »
    report = _report()
    assert not report.sms_consent and report.preferred_channel == PublicReport.Channel.NONE
    assert "Envoyer par SMS" not in client.get(f"/accueil/{report.pk}/recu/").content.decode()
    with sms_gateway(settings) as gateway:
        client.post(f"/accueil/{report.pk}/recu/sms/")
    assert gateway.received == []


def test_the_demo_writes_the_sms_to_a_file(client, login, world, settings, tmp_path):
    settings.SMS_BACKEND = "sms.backends.filebased.SmsBackend"
    settings.SMS_FILE_PATH = str(tmp_path / "sms")
    login(world["agent"])
    _counter(client)
    report = _report()
    client.post(f"/accueil/{report.pk}/recu/sms/")
    written = "".join(p.read_text() for p in (tmp_path / "sms").iterdir())
    assert "to: +33612345678" in written and f"/suivi/{report.token}/" in written
