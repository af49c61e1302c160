import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from patrimoine.assets.models import AssetStatus, Building
from patrimoine.intake.models import WorkRequest
from patrimoine.workorders.models import InterventionReport, WorkOrder

from .helpers import paris, reload, validated_order

pytestmark = [pytest.mark.django_db]

LIST = reverse("assets:list")


def building_url(building):
    return reverse("assets:building-detail", args=[building.pk])


def _text(response) -> str:
    return re.sub(r"[ \t\r\n]+", " ", response.content.decode())


# --- Visibility across communes and roles


def test_list_shows_own_sites_and_buildings_and_nothing_of_another_commune(login, world):
    response = login(world.claire).get(LIST)
    assert response.status_code == 200
    page = _text(response)
    assert "Groupe scolaire Jules Ferry" in page and "École élémentaire Jules Ferry" in page
    assert "Gymnase des Acacias" not in page and "Complexe sportif" not in page


def test_search_finds_own_building_without_accents_and_never_another_communes(login, world):
    client = login(world.claire)
    found = _text(client.get(LIST, {"q": "ecole ferry"}))
    assert "1 bâtiment trouvé" in found and building_url(world.school) in found
    other = _text(client.get(LIST, {"q": "acacias"}))
    assert "Aucun bâtiment trouvé" in other and "Gymnase des Acacias" not in other


def test_another_communes_pages_answer_404(f, login, world):
    gym_boiler = f.equipment(world.gym, "Chaudière du gymnase")
    client = login(world.claire)
    for url in (
        building_url(world.gym),
        reverse("assets:site-detail", args=[world.gym.site_id]),
        reverse("assets:equipment-detail", args=[gym_boiler.pk]),
        reverse("assets:building-edit", args=[world.gym.pk]),
        reverse("assets:building-archive", args=[world.gym.pk]),
        reverse("assets:building-delete", args=[world.gym.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("assets:building-archive", args=[world.gym.pk])).status_code == 404
    assert reload(world.gym).status == AssetStatus.IN_SERVICE


def test_contractor_sees_no_asset(login, world):
    client = login(world.prestataire)
    assert client.get(LIST).status_code == 403
    assert client.get(building_url(world.school)).status_code == 404


def test_requester_views_a_building_but_cannot_change_it(login, world):
    client = login(world.nadia)
    page = client.get(building_url(world.school))
    assert page.status_code == 200
    assert reverse("assets:building-edit", args=[world.school.pk]) not in page.content.decode()
    assert client.get(reverse("assets:building-edit", args=[world.school.pk])).status_code == 403
    response = client.post(
        reverse("assets:building-edit", args=[world.school.pk]),
        {"site": world.school.site_id, "name": "Piraté", "code": "X", "status": "en_service", "version": 1},
    )
    assert response.status_code == 403
    assert client.post(reverse("assets:building-archive", args=[world.school.pk])).status_code == 403
    assert reload(world.school).name == "École élémentaire Jules Ferry"
    assert reload(world.school).status == AssetStatus.IN_SERVICE


def test_requester_gets_a_report_link_for_the_building(login, world):
    page = login(world.nadia).get(building_url(world.school)).content.decode()
    assert "Signaler un problème ici" in page
    assert f"?building={world.school.pk}" in page


def test_epci_reader_filters_by_commune(f, login, world):
    reader = f.user("lecteur.epci", role="lecteur", organisation=world.epci)
    client = login(reader)
    everything = _text(client.get(LIST, {"status": "tous"}))
    assert "École élémentaire Jules Ferry" in everything and "Gymnase des Acacias" in everything
    venansault = _text(client.get(LIST, {"organisation": world.venansault.pk}))
    assert "Gymnase des Acacias" in venansault and "École élémentaire Jules Ferry" not in venansault
    # A reader of the EPCI reads but does not change the communes' buildings.
    assert client.get(reverse("assets:building-edit", args=[world.gym.pk])).status_code == 403


def test_commune_filter_is_only_offered_to_users_who_see_several(login, world):
    page = login(world.claire).get(LIST).content.decode()
    assert 'name="organisation"' not in page


def test_filters_on_erp_status_and_equipment_category(f, login, world):
    town_hall = f.building(world.nesmy, "Mairie", is_erp=True, erp_type="W", erp_category=5)
    f.building(world.nesmy, "Ancienne poste", status=AssetStatus.ARCHIVED)
    f.equipment(world.school, "Extincteur", category=f.category("extincteurs"))
    client = login(world.claire)
    erp = _text(client.get(LIST, {"erp": "oui"}))
    assert "Mairie" in erp and "École élémentaire" not in erp
    archived = _text(client.get(LIST, {"status": "archive"}))
    assert "Ancienne poste" in archived and "Mairie" not in archived
    default = _text(client.get(LIST, {"q": "poste"}))
    assert "Ancienne poste" not in default
    category = _text(client.get(LIST, {"category": f.category("extincteurs").pk}))
    assert "École élémentaire Jules Ferry" in category and town_hall.name not in category
    assert "1 équipement trouvé" in category and "Extincteur" in category


def test_htmx_search_gets_the_results_fragment(login, world):
    response = login(world.claire).get(LIST, {"q": "ferry"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body and 'id="resultats"' in body


@pytest.mark.parametrize("searching", [False, True])
def test_list_query_count_does_not_grow_with_rows(f, login, world, searching):
    client = login(world.claire)
    params = {"q": "bat"} if searching else {}

    def add_buildings(count):
        for n in range(count):
            site = f.site(world.nesmy, f"Site {n}")
            building = f.building(world.nesmy, f"Bâtiment {n}", site_obj=site)
            f.equipment(building, f"Équipement {n}")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(LIST, params).status_code == 200
        return len(captured)

    add_buildings(3)
    few = queries()
    add_buildings(27)
    assert queries() == few


# --- Building page


def test_building_page_shows_equipment_by_category_open_work_and_history(f, login, world):
    boiler = f.equipment(world.school, "Chaudière gaz", category=f.category("cvc-chauffage", "CVC / chauffage"))
    f.equipment(world.school, "Extincteur hall", category=f.category("extincteurs", "Extincteurs et RIA"))
    f.work_order(world.nesmy, building_obj=world.school, title="Fuite cantine", status=WorkOrder.Status.PLANNED)
    validated_order(f, world.nesmy, building=world.school, title="Vieux joint", labour="10", at=paris(2024, 3, 1))
    validated_order(f, world.nesmy, building=world.school, title="Joint récent", labour="10", at=paris(2025, 3, 1))
    f.work_order(world.venansault, building_obj=world.gym, title="Secret de Venansault")
    page = _text(login(world.claire).get(building_url(world.school)))
    assert "CVC / chauffage" in page and "Extincteurs et RIA" in page
    assert reverse("assets:equipment-detail", args=[boiler.pk]) in page
    assert "Interventions en cours" in page and "Fuite cantine" in page
    assert page.index("Joint récent") < page.index("Vieux joint")
    assert "Secret de Venansault" not in page


def test_building_page_query_count_does_not_grow_with_equipment_in_rooms(f, login, world):
    client = login(world.claire)

    def add_equipment(count):
        level = f.level(world.school, f"Niveau {count}", position=count)
        for n in range(count):
            f.equipment(world.school, f"Radiateur {count}-{n}", space=f.space(level, f"Salle {count}-{n}"))

    def queries():
        with CaptureQueriesContext(connection) as captured:
            page = client.get(building_url(world.school))
        assert page.status_code == 200
        return len(captured)

    add_equipment(2)
    queries()  # the first visit also fills per-session caches
    few = queries()
    add_equipment(20)
    assert queries() == few


def test_building_page_shows_the_yearly_cost_to_the_cent(f, login, world):
    validated_order(
        f,
        world.nesmy,
        building=world.school,
        labour="1000.00",
        material="200.50",
        external="34.06",
        at=paris(2025, 5, 2),
    )
    validated_order(f, world.nesmy, building=world.school, labour="0.01", at=paris(2025, 12, 31, 23))
    validated_order(f, world.nesmy, building=world.school, material="12.00", at=paris(2024, 7, 1))
    f.work_order(
        world.nesmy, building_obj=world.school, status=WorkOrder.Status.DONE, labour_cost=500, total_cost=500
    )  # not validated yet: not a cost
    page = _text(login(world.claire).get(building_url(world.school)))
    costs = page[page.index('id="couts"') : page.index('id="equipements"')]
    row_2025 = costs[costs.index(">2025<") : costs.index(">2024<")]
    assert "1\u202f000,01\u00a0€" in row_2025  # labour
    assert "200,50\u00a0€" in row_2025 and "34,06\u00a0€" in row_2025
    assert "1\u202f234,57\u00a0€" in row_2025  # total
    assert "12,00\u00a0€" in costs[costs.index(">2024<") :]
    assert "1\u202f246,57\u00a0€" in costs  # every year


def test_requester_does_not_see_costs_or_work_orders(f, login, world):
    validated_order(f, world.nesmy, building=world.school, labour="99.00", at=paris(2025, 1, 5))
    page = _text(login(world.nadia).get(building_url(world.school)))
    assert "Coûts par année" not in page and "99,00" not in page and "Historique des interventions" not in page


def test_building_page_links_the_address_to_a_map(f, login, world):
    with scopes_disabled():
        Building.objects.filter(pk=world.school.pk).update(latitude="46.616100", longitude="-1.397200")
    page = login(world.claire).get(building_url(world.school)).content.decode()
    assert "geo:46.616100,-1.397200" in page
    assert "https://www.openstreetmap.org/?mlat=46.616100&amp;mlon=-1.397200" in page


# --- Equipment and site pages


def test_equipment_page_shows_what_was_done_on_it_before(f, login, world):
    boiler = f.equipment(world.school, "Chaudière gaz")
    old = validated_order(
        f, world.nesmy, building=world.school, equipment=boiler, title="Vanne 3 voies", at=paris(2025, 2, 1)
    )
    with scopes_disabled():
        InterventionReport.objects.create(
            organisation=world.nesmy, work_order=old, notes="Vanne remplacée, joint fibre 20/27"
        )
    page = _text(login(world.claire).get(reverse("assets:equipment-detail", args=[boiler.pk])))
    assert "Vanne 3 voies" in page and "Vanne remplacée, joint fibre 20/27" in page
    assert "École élémentaire Jules Ferry" in page


def test_site_page_lists_its_buildings_and_outdoor_equipment(f, login, world):
    slide = f.equipment(world.school, "Toboggan", category=f.category("aires-de-jeux", "Aires de jeux"))
    with scopes_disabled():
        type(slide).objects.filter(pk=slide.pk).update(building=None)
    page = _text(login(world.claire).get(reverse("assets:site-detail", args=[world.school.site_id])))
    assert "École élémentaire Jules Ferry" in page and "Toboggan" in page


# --- Forms


def _building_post(building, **changes):
    data = {
        "site": building.site_id,
        "name": building.name,
        "code": building.code,
        "status": building.status,
        "address": building.address,
        "postal_code": building.postal_code,
        "city": building.city,
        "version": building.version,
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_manager_edits_a_building(login, world):
    client = login(world.claire)
    url = reverse("assets:building-edit", args=[world.school.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, _building_post(world.school, name="École Jules Ferry", surface_m2="1250"))
    assert response.status_code == 302 and response["Location"] == building_url(world.school)
    school = reload(world.school)
    assert (school.name, school.version) == ("École Jules Ferry", 2)


def test_second_editor_is_refused_with_409_and_nothing_is_overwritten(login, world):
    client = login(world.claire)
    url = reverse("assets:building-edit", args=[world.school.pk])
    form = client.get(url).content.decode()
    assert 'name="version" value="1"' in form
    assert client.post(url, _building_post(world.school, name="Premier enregistrement")).status_code == 302
    stale = client.post(url, _building_post(world.school, name="Second enregistrement", version=1))
    assert stale.status_code == 409
    assert "modifié par quelqu&#x27;un d&#x27;autre" in stale.content.decode()
    school = reload(world.school)
    assert (school.name, school.version) == ("Premier enregistrement", 2)


def test_erp_without_type_and_category_gets_a_clear_form_error(login, world):
    client = login(world.claire)
    url = reverse("assets:building-edit", args=[world.school.pk])
    response = client.post(url, _building_post(world.school, is_erp="on"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Indiquez le type ERP de cet établissement recevant du public." in page
    assert "Indiquez la catégorie ERP de cet établissement recevant du public." in page
    assert not reload(world.school).is_erp


def test_duplicate_code_is_refused_with_the_services_message(f, login, world):
    f.building(world.nesmy, "Mairie", site_obj=world.school.site, code="MAIRIE")
    response = login(world.claire).post(
        reverse("assets:building-create"), _building_post(world.school, name="Doublon", code="MAIRIE", version=None)
    )
    assert response.status_code == 400
    assert "déjà utilisé par un autre bâtiment" in response.content.decode()


def test_manager_adds_equipment_from_the_building_page(f, login, world):
    level = f.level(world.school, "Sous-sol", position=-1)
    boiler_room = f.space(level, "Chaufferie")
    client = login(world.claire)
    create = reverse("assets:equipment-create")
    form = client.get(create, {"building": world.school.pk}).content.decode()
    assert "Sous-sol — Chaufferie" in form
    response = client.post(
        create,
        {
            "name": "Chaudière gaz condensation",
            "code": "CH-2026-01",
            "category": f.category("cvc-chauffage").pk,
            "status": "en_service",
            "building": world.school.pk,
            "space": boiler_room.pk,
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        boiler = type(level).objects.get(pk=level.pk).equipment.get()
    assert (boiler.site_id, boiler.space_id, boiler.building_id) == (
        world.school.site_id,
        boiler_room.pk,
        world.school.pk,
    )


def test_changing_the_building_reloads_the_level_choices(f, login, world):
    town_hall = f.building(world.nesmy, "Mairie", site_obj=world.school.site)
    f.level(town_hall, "Étage de la mairie", position=1)
    response = login(world.claire).get(
        reverse("assets:equipment-create"), {"building": town_hall.pk}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert 'id="fs-placement"' in body and "Étage de la mairie" in body


def test_equipment_form_does_not_offer_another_communes_building(f, login, world):
    client = login(world.claire)
    form = client.get(reverse("assets:equipment-create")).content.decode()
    assert "Gymnase des Acacias" not in form
    response = client.post(
        reverse("assets:equipment-create"),
        {
            "name": "Intrus",
            "code": "I-1",
            "category": f.category().pk,
            "status": "en_service",
            "building": world.gym.pk,
        },
    )
    assert response.status_code == 400
    with scopes_disabled():
        assert not type(world.gym).objects.filter(equipment__code="I-1").exists()


# --- Archive and delete


def test_delete_is_refused_when_the_building_has_history_and_archive_works(f, login, world):
    f.work_request(world.nesmy, building_obj=world.school)
    client = login(world.claire)
    confirm = client.get(reverse("assets:building-delete", args=[world.school.pk])).content.decode()
    assert "Ce bâtiment a un historique : il ne peut pas être supprimé, seulement archivé." in confirm
    refused = client.post(reverse("assets:building-delete", args=[world.school.pk]))
    assert refused.status_code == 400
    assert "Ce bâtiment a un historique : il ne peut pas être supprimé, seulement archivé." in refused.content.decode()
    assert reload(world.school).status == AssetStatus.IN_SERVICE
    archived = client.post(reverse("assets:building-archive", args=[world.school.pk]))
    assert archived.status_code == 302
    assert reload(world.school).status == AssetStatus.ARCHIVED
    with scopes_disabled():
        assert WorkRequest.objects.filter(building=world.school).exists()


def test_building_without_history_is_deleted_after_confirmation(f, login, world):
    mistake = f.building(world.nesmy, "Saisie en double", site_obj=world.school.site)
    client = login(world.claire)
    page = client.get(building_url(mistake)).content.decode()
    assert reverse("assets:building-delete", args=[mistake.pk]) in page
    response = client.post(reverse("assets:building-delete", args=[mistake.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("assets:site-detail", args=[world.school.site_id])
    with scopes_disabled():
        assert not Building.objects.filter(pk=mistake.pk).exists()


def test_delete_link_is_hidden_when_the_building_has_history(f, login, world):
    f.equipment(world.school)
    page = login(world.claire).get(building_url(world.school)).content.decode()
    assert reverse("assets:building-delete", args=[world.school.pk]) not in page
    assert reverse("assets:building-archive", args=[world.school.pk]) in page


def test_edit_form_leaves_archiving_to_the_archive_action(login, world):
    client = login(world.claire)
    form = client.get(reverse("assets:building-edit", args=[world.school.pk])).content.decode()
    assert 'value="archive"' not in form
    client.post(reverse("assets:building-archive", args=[world.school.pk]))
    form = client.get(reverse("assets:building-edit", args=[world.school.pk])).content.decode()
    assert 'value="archive" selected' in form  # an archived building can be put back in service
    response = client.post(
        reverse("assets:building-edit", args=[world.school.pk]),
        _building_post(reload(world.school), status="en_service"),
    )
    assert response.status_code == 302 and reload(world.school).status == AssetStatus.IN_SERVICE


def test_a_level_with_spaces_is_kept_and_an_empty_one_is_deleted_from_its_edit_page(f, login, world):
    full = f.level(world.school, "Rez-de-chaussée")
    f.space(full, "Cantine")
    empty = f.level(world.school, "Combles", position=2)
    client = login(world.claire)
    edit_page = client.get(reverse("assets:level-edit", args=[empty.pk])).content.decode()
    assert reverse("assets:level-delete", args=[empty.pk]) in edit_page
    refused = client.post(reverse("assets:level-delete", args=[full.pk]))
    assert refused.status_code == 400 and "Ce niveau a un historique" in refused.content.decode()
    assert client.post(reverse("assets:level-delete", args=[empty.pk])).status_code == 302
    with scopes_disabled():
        assert list(type(full).objects.filter(building=world.school)) == [full]
