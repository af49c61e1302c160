"""The request pages, driven through the test client as each role, with users of other communes."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from patrimoine.documents.models import Document
from patrimoine.intake import services
from patrimoine.intake.models import RequesterBuilding, Urgency, WorkRequest
from patrimoine.intake.tests.conftest import acting, jpeg, not_an_image
from patrimoine.workorders.models import WorkOrder

pytestmark = pytest.mark.django_db
Status = WorkRequest.Status
CREATE = "/demandes/nouvelle/"
LIST = "/demandes/"


def file_request(user, building, description="Fuite sous l'évier de la cantine", urgency=Urgency.NORMAL, org=None):
    with acting(user, org) as access:
        return services.work_request_create(access=access, building=building, description=description, urgency=urgency)


def detail_url(request):
    return reverse("intake:detail", kwargs={"pk": request.pk})


def state(request):
    with scopes_disabled():
        fresh = WorkRequest.objects.get(pk=request.pk)
        return fresh.status, fresh.work_order_id, fresh.rejection_reason, fresh.duplicate_of_id


def test_url_names_other_apps_rely_on():
    assert reverse("intake:create") == CREATE
    assert reverse("intake:list") == LIST


# --- « Signaler un problème » -------------------------------------------------------------------


def test_create_form_preselects_her_only_building(world, login):
    page = login(world.nadia).get(CREATE).content.decode()
    assert f'<option value="{world.school.pk}" selected>' in page
    assert "Signaler un problème" in page and 'accept="image/*"' in page and "multiple" in page
    assert 'type="radio" name="urgency"' in page


def test_create_form_lists_her_buildings_first_when_she_has_several(world, login, f):
    with scopes_disabled():
        RequesterBuilding.objects.create(organisation=world.nesmy, user=world.nadia, building=world.town_hall)
    library = f.building(world.nesmy, "Bibliothèque")
    page = login(world.nadia).get(CREATE).content.decode()
    mine = page.index('label="Mes bâtiments"')
    others = page.index('label="Autres bâtiments"')
    assert mine < page.index(world.school.name) < others < page.index(library.name)
    assert mine < page.index(world.town_hall.name) < others
    assert '<option value="" selected>' in page  # two buildings of her own: she chooses


def test_shared_lead_sees_buildings_grouped_by_served_commune_only(world, login):
    page = login(world.karim, world.epci).get(CREATE).content.decode()
    assert 'label="Nesmy"' in page and 'label="Venansault"' in page
    assert world.gym.name in page and world.aubigny_school.name not in page


def test_building_parameter_preselects_and_ignores_another_communes_building(world, login):
    client = login(world.nadia)
    page = client.get(CREATE, {"building": world.town_hall.pk}).content.decode()
    assert f'<option value="{world.town_hall.pk}" selected>' in page
    page = client.get(CREATE, {"building": world.gym.pk}).content.decode()
    assert world.gym.name not in page
    assert f'<option value="{world.school.pk}" selected>' in page  # falls back to her school
    assert client.get(CREATE, {"building": "pas-un-uuid"}).status_code == 200


def test_choosing_a_building_with_htmx_returns_its_equipment_only(world, login, f):
    f.equipment(world.town_hall, name="Chaudière de la mairie")
    f.equipment(world.school, name="Chauffe-eau de la cantine")
    response = login(world.nadia).get(
        CREATE, {"building": world.town_hall.pk}, headers={"HX-Request": "true", "HX-Target": "location-details"}
    )
    page = response.content.decode()
    assert response.status_code == 200 and "<html" not in page
    assert "Chaudière de la mairie" in page and "Chauffe-eau de la cantine" not in page


def test_without_javascript_the_refresh_button_shows_equipment_and_keeps_the_text(world, login, f):
    f.equipment(world.town_hall, name="Chaudière de la mairie")
    response = login(world.nadia).post(
        CREATE, {"building": world.town_hall.pk, "description": "Plus de chauffage", "refresh": "1"}
    )
    page = response.content.decode()
    assert response.status_code == 200 and "Chaudière de la mairie" in page and "Plus de chauffage" in page
    assert "errorlist" not in page
    with scopes_disabled():
        assert not WorkRequest.objects.exists()


def test_requester_files_a_request_with_a_photo_and_reads_its_number(world, login, django_capture_on_commit_callbacks):
    client = login(world.nadia)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            CREATE,
            {
                "building": world.school.pk,
                "description": "fuite sous l'évier de la cantine, l'eau coule par terre",
                "urgency": Urgency.URGENT,
                "photos": [jpeg()],
            },
            follow=True,
        )
    with scopes_disabled():
        request = WorkRequest.objects.get()
        assert Document.objects.get().object_id == request.pk
    assert response.redirect_chain[-1][0] == detail_url(request)
    page = response.content.decode()
    assert f"Votre demande {request.reference} est enregistrée" in page
    assert "accusé de réception a été envoyé à demandeur.nesmy@example.org" in page
    assert "Reçue — en attente de tri" in page
    assert reverse("documents:download", kwargs={"pk": Document.objects.model._base_manager.get().pk}) in page
    assert len(mail.outbox) == 1 and request.reference in mail.outbox[0].body
    assert f"http://testserver{detail_url(request)}" in mail.outbox[0].body


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"description": ""}, "Décrivez le problème"),
        ({"building": "", "location_text": ""}, "Choisissez le bâtiment"),
        ({"photos": [jpeg("ok.jpg"), not_an_image("photo.jpg")]}, "n&#x27;est ni une image"),
    ],
)
def test_bad_input_shows_a_french_error_and_creates_nothing(world, login, data, error):
    payload = {"building": world.school.pk, "description": "Fuite", "urgency": Urgency.NORMAL, **data}
    response = login(world.nadia).post(CREATE, payload)
    assert response.status_code == 400
    assert error in response.content.decode()
    assert "La demande n’a pas été envoyée" in response.content.decode()
    with scopes_disabled():
        assert not WorkRequest.objects.exists() and not Document.objects.exists()


def test_roles_without_intake_create_cannot_open_the_form(world, login, f):
    reader = f.user(role="lecteur", organisation=world.nesmy)
    assert login(reader).get(CREATE).status_code == 403


# --- Who sees what ------------------------------------------------------------------------------


def test_requester_sees_only_her_own_requests(world, login):
    hers = file_request(world.nadia, world.school, "Fuite dans la cantine")
    pauls = file_request(world.paul, world.town_hall, "Porte de la mairie bloquée")
    client = login(world.nadia)
    page = client.get(LIST).content.decode()
    assert "Mes demandes" in page and detail_url(hers) in page and detail_url(pauls) not in page
    assert "Reçue — en attente de tri" in page and "Accepter" not in page
    assert client.get(detail_url(hers)).status_code == 200
    assert client.get(detail_url(pauls)).status_code == 404


@pytest.mark.parametrize("role", ["demandeur", "gestionnaire", "chef", "lecteur", "admin", "technicien"])
def test_another_communes_request_is_404_and_absent_for_every_role(world, login, f, role):
    nesmy_request = file_request(world.nadia, world.school, "Fuite à Nesmy")
    outsider = f.user(role=role, organisation=world.aubigny)
    client = login(outsider)
    assert client.get(detail_url(nesmy_request)).status_code == 404
    list_response = client.get(LIST, {"statut": "toutes"})
    assert detail_url(nesmy_request) not in list_response.content.decode()
    for name in ("accept", "reject", "merge"):
        response = client.post(reverse(f"intake:{name}", kwargs={"pk": nesmy_request.pk}), {"reason": "x"})
        assert response.status_code in (403, 404)
    assert state(nesmy_request) == (Status.NEW, None, "", None)


def test_shared_team_lead_triages_served_communes_but_not_the_others(world, login):
    nesmy_request = file_request(world.nadia, world.school, "Fuite à Nesmy")
    venansault_request = file_request(world.victor, world.gym, "Néon cassé au gymnase", org=world.venansault)
    aubigny_request = file_request(world.aubigny_lead, world.aubigny_school, "Vitre cassée à Aubigny")
    client = login(world.karim, world.epci)
    page = client.get(LIST).content.decode()
    assert detail_url(nesmy_request) in page and detail_url(venansault_request) in page
    assert detail_url(aubigny_request) not in page
    assert page.count(">Accepter<") == 2
    assert client.get(detail_url(aubigny_request)).status_code == 404
    assert client.post(reverse("intake:accept", kwargs={"pk": aubigny_request.pk})).status_code == 404
    assert state(aubigny_request) == (Status.NEW, None, "", None)
    response = client.post(reverse("intake:accept", kwargs={"pk": venansault_request.pk}))
    assert response.status_code == 302
    assert state(venansault_request)[0] == Status.ACCEPTED


def test_epci_reader_sees_communes_requests_without_triage_actions(world, login, f):
    reader = f.user(role="lecteur", organisation=world.epci)
    request = file_request(world.nadia, world.school)
    client = login(reader)
    page = client.get(LIST, {"statut": "toutes"}).content.decode()
    assert request.reference in page and ">Accepter<" not in page
    assert client.post(reverse("intake:accept", kwargs={"pk": request.pk})).status_code == 403
    assert state(request) == (Status.NEW, None, "", None)


# --- Triage through the pages -------------------------------------------------------------------


def test_triage_list_shows_urgent_first_in_red_with_the_suggestion(world, login):
    normal = file_request(world.nadia, world.school, "Néon qui clignote dans la classe")
    urgent = file_request(world.paul, world.town_hall, "Fuite d'eau importante", urgency=Urgency.URGENT)
    page = login(world.karim, world.epci).get(LIST).content.decode()
    assert page.index(urgent.reference) < page.index(normal.reference)
    assert '<span class="badge badge--urgent">Urgente</span>' in page
    assert "Plomberie" in page and "Électricité" in page and "priorité Urgente" in page


def test_one_click_accept_with_htmx_swaps_the_row(world, login):
    request = file_request(world.nadia, world.school, urgency=Urgency.URGENT)
    response = login(world.karim, world.epci).post(
        reverse("intake:accept", kwargs={"pk": request.pk}), {"next": LIST}, headers={"HX-Request": "true"}
    )
    page = response.content.decode()
    assert response.status_code == 200 and page.lstrip().startswith("<tr") and "<html" not in page
    with scopes_disabled():
        order = WorkOrder.objects.get()
    assert order.reference in page and "Acceptée — intervention à planifier" in page
    assert (order.trade.code, order.priority) == ("plomberie", WorkOrder.Priority.URGENT)
    assert page.count('id="triage-stats" hx-swap-oob="true"') == 1  # the counters follow
    assert '<span class="stat__value">0</span> <span class="stat__label">à trier' in page


def test_one_click_accept_without_javascript_comes_back_to_the_list(world, login):
    request = file_request(world.nadia, world.school)
    response = login(world.karim, world.epci).post(
        reverse("intake:accept", kwargs={"pk": request.pk}), {"next": f"{LIST}?urgence=normale"}, follow=True
    )
    assert response.redirect_chain[-1][0] == f"{LIST}?urgence=normale"
    assert "acceptée : bon de travail BT-" in response.content.decode()


def test_refused_htmx_accept_shows_the_reason_in_the_row(world, login):
    request = file_request(world.nadia, world.school, "Quelque chose ne va pas")
    response = login(world.karim, world.epci).post(
        reverse("intake:accept", kwargs={"pk": request.pk}), headers={"HX-Request": "true"}
    )
    assert response.status_code == 400
    assert "Choisissez le corps de métier" in response.content.decode()
    assert state(request) == (Status.NEW, None, "", None)


def test_correct_opens_the_form_and_plans_team_and_slot(world, login, f):
    request = file_request(world.nadia, world.school, "Le plafond goutte dans la classe")
    client = login(world.karim, world.epci)
    url = reverse("intake:accept", kwargs={"pk": request.pk})
    page = client.get(url).content.decode()
    assert "Régie bâtiment" in page and "Corps de métier" in page and 'type="date"' in page
    roofing = f.trade("couverture")
    response = client.post(
        url,
        {
            "trade": roofing.pk,
            "priority": WorkOrder.Priority.HIGH,
            "team": world.team.pk,
            "technicians": [world.ahmed.pk],
            "day": "2026-03-03",
            "slot": "apres-midi",
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        order = WorkOrder.objects.get()
        assert list(order.technicians.all()) == [world.ahmed]
    assert (order.trade, order.team, order.status) == (roofing, world.team, WorkOrder.Status.PLANNED)
    assert order.planned_start.astimezone().hour == 13
    page = login(world.nadia).get(detail_url(request)).content.decode()
    assert "Planifiée — mardi 3 mars" in page and "après-midi, équipe Régie bâtiment" in page


def test_reject_needs_a_reason(world, login):
    request = file_request(world.nadia, world.school)
    client = login(world.karim, world.epci)
    url = reverse("intake:reject", kwargs={"pk": request.pk})
    response = client.post(url, {"reason": ""})
    assert response.status_code == 400 and "Indiquez le motif du rejet" in response.content.decode()
    assert state(request) == (Status.NEW, None, "", None)
    assert client.post(url, {"reason": "Relève du bailleur"}).status_code == 302
    assert state(request)[:3] == (Status.REJECTED, None, "Relève du bailleur")
    page = login(world.nadia).get(detail_url(request)).content.decode()
    assert "Rejetée — Relève du bailleur" in page


def test_merge_offers_same_building_and_trade_first_and_merges(world, login):
    other_building = file_request(world.paul, world.town_hall, "Vitre cassée à la mairie")
    master = file_request(world.nadia, world.school, "Vitre cassée en salle 2")
    newer_other_trade = file_request(world.nadia, world.school, "Néon qui clignote en salle 3")
    duplicate = file_request(world.paul, world.school, "Carreau cassé salle 2")
    client = login(world.karim, world.epci)
    url = reverse("intake:merge", kwargs={"pk": duplicate.pk})
    page = client.get(url).content.decode()
    assert page.index(master.reference) < page.index(newer_other_trade.reference)
    assert page.index(newer_other_trade.reference) < page.index(other_building.reference)
    assert client.post(url, {}).status_code == 400
    assert client.post(url, {"into": master.pk}).status_code == 302
    assert state(duplicate) == (Status.MERGED, None, "", master.pk)
    page = login(world.paul).get(detail_url(duplicate)).content.decode()
    assert f"Fusionnée avec {master.reference}" in page


def test_requester_cannot_triage_through_the_pages(world, login):
    request = file_request(world.nadia, world.school)
    client = login(world.nadia)
    for name, data in (("accept", {}), ("reject", {"reason": "non"}), ("merge", {"into": request.pk})):
        url = reverse(f"intake:{name}", kwargs={"pk": request.pk})
        assert client.get(url).status_code == 403
        assert client.post(url, data).status_code == 403
    assert state(request) == (Status.NEW, None, "", None)
    with scopes_disabled():
        assert not WorkOrder.objects.exists()


def test_triage_form_of_an_already_triaged_request_sends_back_to_it(world, login):
    request = file_request(world.nadia, world.school)
    client = login(world.karim, world.epci)
    client.post(reverse("intake:accept", kwargs={"pk": request.pk}))
    response = client.get(reverse("intake:reject", kwargs={"pk": request.pk}), follow=True)
    assert response.redirect_chain[-1][0] == detail_url(request)
    assert "déjà été triée" in response.content.decode()
    assert client.post(reverse("intake:reject", kwargs={"pk": request.pk}), {"reason": "x"}).status_code == 400
    assert state(request)[0] == Status.ACCEPTED


def test_detail_shows_the_technicians_note_once_done(world, login):
    from patrimoine.workorders.models import InterventionReport

    request = file_request(world.nadia, world.school)
    login(world.karim, world.epci).post(reverse("intake:accept", kwargs={"pk": request.pk}))
    with scopes_disabled():
        order = WorkOrder.objects.get()
        WorkOrder.objects.filter(pk=order.pk).update(status=WorkOrder.Status.DONE)
        InterventionReport.objects.create(organisation=world.nesmy, work_order=order, notes="Siphon changé.")
    page = login(world.nadia).get(detail_url(request)).content.decode()
    assert "Terminée" in page and "Siphon changé." in page


# --- Filters and query counts -------------------------------------------------------------------


def test_search_ignores_accents_and_case(world, login):
    hit = file_request(world.nadia, world.school, "Fuite sous l'ÉVIER")
    miss = file_request(world.nadia, world.school, "Néon cassé")
    page = login(world.karim, world.epci).get(LIST, {"q": "evier"}).content.decode()
    assert hit.reference in page and miss.reference not in page


def test_filters_by_commune_and_urgency_and_tabs_count(world, login):
    nesmy = file_request(world.nadia, world.school, "Fuite", urgency=Urgency.URGENT)
    venansault = file_request(world.victor, world.gym, "Néon", org=world.venansault)
    client = login(world.karim, world.epci)
    page = client.get(LIST, {"collectivite": world.venansault.pk}).content.decode()
    assert detail_url(venansault) in page and detail_url(nesmy) not in page
    page = client.get(LIST, {"urgence": Urgency.URGENT}).content.decode()
    assert detail_url(nesmy) in page and detail_url(venansault) not in page
    page = client.get(LIST).content.decode()
    assert 'aria-current="page">À trier <span class="tabs__count">2</span>' in page
    assert "à trier — Nesmy 1 · Venansault 1" in page and page.count('id="triage-stats"') == 1


def make_requests(world, n):
    """n requests across two communes, some accepted (planned), merged or rejected."""
    made = []
    for i in range(n):
        user, building, org = (
            (world.nadia, world.school, None) if i % 2 else (world.victor, world.gym, world.venansault)
        )
        made.append(file_request(user, building, f"Fuite numéro {i}", org=org))
    with acting(world.karim, world.epci) as access:
        for i, request in enumerate(made):
            if i % 5 == 1:
                services.work_request_accept(access=access, work_request=request, team=world.team)
            elif i % 5 == 2:
                services.work_request_reject(access=access, work_request=request, reason="Doublon")
            elif i % 5 == 3 and i > 4:
                services.work_request_merge(access=access, work_request=request, into=made[1 if i % 2 else 6])
    return made


def queries_for(client, url, params):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("who", ["karim", "nadia"])
def test_list_query_count_does_not_grow_with_rows(world, login, who):
    user = getattr(world, who)
    client = login(user, world.epci if who == "karim" else None)
    make_requests(world, 3)
    few = queries_for(client, LIST, {"statut": "toutes"})
    make_requests(world, 27)
    many = queries_for(client, LIST, {"statut": "toutes"})
    assert many == few
    with scopes_disabled():
        assert WorkRequest.objects.count() == 30
