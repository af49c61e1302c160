"""The work-order list: visibility per role, filters, search, sort, pagination, constant queries."""

import html
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from patrimoine.organisations.models import Membership
from patrimoine.workorders import filters
from patrimoine.workorders.models import WorkOrder
from patrimoine.workorders.tests.conftest import outsiders

pytestmark = [pytest.mark.django_db]
Role = Membership.Role
Status = WorkOrder.Status
URL = reverse("workorders:list")


def listed(response) -> set:
    """The orders on the page (by id: references are numbered per organisation and may repeat)."""
    return {wo.pk for wo in response.context["page"].object_list}


def test_list_shows_badges_and_links(f, world, login):
    wo = f.work_order(world.nesmy, title="Fuite cantine", building_obj=world.school, priority=WorkOrder.Priority.URGENT)
    response = login(world.chef).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("workorders:detail", args=[wo.pk]) in html
    assert "badge--urgent" in html and "Urgente" in html and "À planifier" in html
    assert "École Jules Ferry" in html


@pytest.mark.parametrize("role_index", range(len(Role.values)))
def test_another_organisation_never_sees_the_orders(f, world, login, client, role_index):
    wo = f.work_order(world.nesmy, team_obj=world.team, title="Fuite cantine")
    role, user, org = outsiders(f, world)[role_index]
    client.logout()
    response = login(user, org).get(URL)
    assert str(wo.pk) not in response.content.decode() and "Fuite cantine" not in response.content.decode()
    if response.status_code == 200:
        assert wo.pk not in listed(response) and not response.context["page"].object_list
        assert "0 bons de travail" in response.content.decode()
    else:
        assert response.status_code == 403  # a requester has no work-order list at all
    assert login(user, org).get(reverse("workorders:detail", args=[wo.pk])).status_code == 404


def test_technician_sees_only_his_team_orders(f, world, login):
    mine = f.work_order(world.nesmy, team_obj=world.team)
    other_team = f.team(world.nesmy, "Régie de Nesmy")
    theirs = f.work_order(world.nesmy, team_obj=other_team)
    unassigned = f.work_order(world.nesmy)
    response = login(world.ahmed).get(URL)
    assert listed(response) == {mine.pk}
    for wo in (theirs, unassigned):
        assert login(world.ahmed).get(reverse("workorders:detail", args=[wo.pk])).status_code == 404


def test_contractor_sees_only_his_company_orders(f, world, login):
    company = f.contractor(world.nesmy, "Plomberie Durand")
    competitor = f.contractor(world.nesmy, "Sanitaires Martin")
    durand = f.user("prestataire.durand", role=Role.CONTRACTOR, organisation=world.nesmy, contractor=company)
    given = f.work_order(world.nesmy, contractor=company)
    other = f.work_order(world.nesmy, contractor=competitor)
    internal = f.work_order(world.nesmy, team_obj=world.team)
    response = login(durand).get(URL)
    assert listed(response) == {given.pk}
    for wo in (other, internal):
        assert login(durand).get(reverse("workorders:detail", args=[wo.pk])).status_code == 404


def test_shared_team_lead_sees_served_communes_but_not_the_others(f, world, login):
    nesmy = f.work_order(world.nesmy)
    venansault = f.work_order(world.venansault)
    response = login(world.chef).get(URL)
    assert nesmy.pk in listed(response) and venansault.pk not in listed(response)
    # Several organisations visible: the commune filter and column appear.
    assert "collectivite" in response.context["filter"].form.fields
    assert "Collectivité" in response.content.decode()


def test_single_commune_user_has_no_commune_filter(f, world, login):
    f.work_order(world.venansault)
    response = login(world.manager_venansault).get(URL)
    assert "collectivite" not in response.context["filter"].form.fields


def test_open_orders_by_default_and_every_status_on_demand(f, world, login):
    open_one = f.work_order(world.nesmy, status=Status.IN_PROGRESS)
    closed = f.work_order(world.nesmy, status=Status.VALIDATED)
    client = login(world.manager_nesmy)
    assert listed(client.get(URL)) == {open_one.pk}
    assert listed(client.get(URL, {"statut": ""})) == {open_one.pk, closed.pk}
    assert listed(client.get(URL, {"statut": Status.VALIDATED})) == {closed.pk}


def test_filters_by_trade_priority_team_building_and_commune(f, world, login):
    roofing = f.trade("couverture", "Couverture")
    gym = f.building(world.nesmy, "Gymnase")
    a = f.work_order(world.nesmy, trade_obj=roofing, building_obj=gym, priority=WorkOrder.Priority.HIGH)
    b = f.work_order(world.nesmy, team_obj=world.team, building_obj=world.school)
    c = f.work_order(world.epci)
    client = login(world.chef)
    assert listed(client.get(URL, {"metier": roofing.pk})) == {a.pk}
    assert listed(client.get(URL, {"priorite": WorkOrder.Priority.HIGH})) == {a.pk}
    assert listed(client.get(URL, {"equipe": world.team.pk})) == {b.pk}
    assert listed(client.get(URL, {"batiment": world.school.pk})) == {b.pk}
    assert listed(client.get(URL, {"collectivite": world.epci.pk})) == {c.pk}


def test_past_a_few_hundred_buildings_the_building_filter_is_a_search_field(f, world, login, monkeypatch):
    gym = f.building(world.nesmy, "Gymnase Léo-Lagrange")
    in_gym = f.work_order(world.nesmy, building_obj=gym)
    f.work_order(world.nesmy, building_obj=world.school)
    client = login(world.chef)
    page = client.get(URL).content.decode()
    assert f'<option value="{gym.pk}">Gymnase Léo-Lagrange</option>' in page  # few buildings: a select
    monkeypatch.setattr(filters, "BUILDING_CHOICES_MAX", 1)  # an EPCI reading thousands of buildings
    page = client.get(URL).content.decode()
    assert re.search(r'<input type="search" name="batiment"[^>]*placeholder="Nom ou code du bâtiment"', page)
    assert "<option" not in page.split('name="batiment"')[1].split(">", 1)[0]
    assert listed(client.get(URL, {"batiment": "leo lagrange"})) == {in_gym.pk}  # accents and case folded
    assert listed(client.get(URL, {"batiment": str(gym.pk)})) == {in_gym.pk}


def test_search_by_reference_or_title(f, world, login):
    leak = f.work_order(world.nesmy, title="Fuite sous l'évier")
    light = f.work_order(world.nesmy, title="Néon grillé")
    client = login(world.manager_nesmy)
    assert listed(client.get(URL, {"q": "fuite"})) == {leak.pk}
    assert listed(client.get(URL, {"q": light.reference})) == {light.pk}


def test_sort_by_due_date_priority_and_creation(f, world, login):
    today = timezone.localdate()
    late = f.work_order(world.nesmy, due_date=today + timedelta(days=9), priority=WorkOrder.Priority.URGENT)
    soon = f.work_order(world.nesmy, due_date=today + timedelta(days=1), priority=WorkOrder.Priority.LOW)
    none = f.work_order(world.nesmy)
    client = login(world.manager_nesmy)

    def order(tri):
        return [wo.pk for wo in client.get(URL, {"tri": tri}).context["page"].object_list]

    assert order("echeance") == [soon.pk, late.pk, none.pk]
    assert order("-priorite")[0] == late.pk
    assert order("priorite")[0] == soon.pk
    assert order("-creation") == [none.pk, soon.pk, late.pk]


def _link(response, rel: str) -> str:
    match = re.search(rf'href="([^"]+)" rel="{rel}"', response.content.decode())
    return html.unescape(match.group(1)) if match else ""


def test_next_and_previous_keep_the_filters_and_the_sort(f, world, login):
    for n in range(30):
        f.work_order(world.nesmy, title=f"Bon {n}")
    f.work_order(world.nesmy, title="Autre chose")
    client = login(world.manager_nesmy)
    first = client.get(URL, {"q": "Bon", "tri": "creation"})
    assert len(first.context["page"].object_list) == 25 and not _link(first, "prev")
    assert "30 bons de travail" in first.content.decode()
    next_url = _link(first, "next")
    assert "q=Bon" in next_url and "tri=creation" in next_url
    second = client.get(URL + next_url)
    titles = [wo.title for wo in second.context["page"].object_list]
    assert titles == [f"Bon {n}" for n in range(25, 30)] and not _link(second, "next")
    back = client.get(URL + _link(second, "prev"))
    assert [wo.pk for wo in back.context["page"].object_list] == [wo.pk for wo in first.context["page"].object_list]


def test_htmx_request_gets_only_the_results(f, world, login):
    f.work_order(world.nesmy)
    response = login(world.manager_nesmy).get(URL, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert 'id="resultats"' in html and "<html" not in html


def _make_orders(f, world, n):
    for i in range(n):
        wo = f.work_order(world.nesmy, team_obj=world.team, building_obj=world.school, title=f"Bon {i}")
        f.name_technicians(wo, world.ahmed)


def test_list_query_count_does_not_grow_with_rows(f, world, login, django_assert_num_queries):
    client = login(world.chef)
    _make_orders(f, world, 3)
    client.get(URL)  # warm the session and content types
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert len(client.get(URL).context["page"].object_list) == 3
    _make_orders(f, world, 27)
    with django_assert_num_queries(len(few.captured_queries)):
        assert len(client.get(URL).context["page"].object_list) == 25


def test_the_assignment_column_names_the_technicians_then_their_team(f, world, login):
    wo = f.work_order(world.nesmy, team_obj=world.team, title="Fuite cantine")
    f.name_technicians(wo, world.ahmed)
    f.work_order(world.nesmy, team_obj=world.team, title="Porte bloquée")
    html_page = login(world.chef).get(URL).content.decode()
    assert 'Ahmed Benali<br><span class="wo-muted">Régie bâtiment</span>' in html_page
    assert html_page.count("Régie bâtiment") >= 2  # the order without a technician shows its team


def test_a_number_typed_from_its_start_finds_the_order_in_any_case(f, world, login):
    first = f.work_order(world.nesmy, title="Fuite cantine")
    second = f.work_order(world.nesmy, title="Porte bloquée")
    client = login(world.manager_nesmy)
    assert listed(client.get(URL, {"q": second.reference.lower()})) == {second.pk}
    assert listed(client.get(URL, {"q": first.reference[:8]})) == {first.pk, second.pk}
    assert listed(client.get(URL, {"q": "bloqu"})) == {second.pk}
