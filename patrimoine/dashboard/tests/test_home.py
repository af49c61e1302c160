from datetime import timedelta

import pytest
from django.utils import timezone

from patrimoine.organisations.models import Membership
from patrimoine.workorders.models import WorkOrder

pytestmark = pytest.mark.django_db
Role = Membership.Role


@pytest.fixture
def world(f):
    epci, (nesmy, venansault) = f.epci_with_communes("Nesmy", "Venansault")
    chef = f.user("chef.epci", role=Role.TEAM_LEAD, organisation=epci, first_name="Karim")
    ahmed = f.user("technicien.epci", role=Role.TECHNICIAN, organisation=epci, first_name="Ahmed")
    team = f.team(epci, "Régie bâtiment", lead=chef, members=[ahmed], serves=[nesmy])
    school = f.building(nesmy, "École Jules Ferry")
    town_hall = f.building(venansault, "Mairie de Venansault")
    return locals()


def test_team_lead_home_counts_requests_to_triage_of_served_communes_only(f, login, world):
    f.work_request(world["nesmy"], building_obj=world["school"], urgency="urgente", description="Fuite cantine")
    f.work_request(world["nesmy"], building_obj=world["school"], description="Porte qui grince")
    f.work_request(world["venansault"], building_obj=world["town_hall"], description="Vitre cassée mairie")
    response = login(world["chef"]).get("/")
    assert response.status_code == 200
    triage = response.context["triage"]
    assert (triage["total"], triage["urgent"]) == (2, 1)
    body = response.content.decode()
    assert "Fuite cantine" in body and "Vitre cassée mairie" not in body


def test_technician_home_lists_his_team_jobs_today_first(f, login, world):
    today = f.work_order(
        world["nesmy"],
        title="Remplacer le robinet",
        team_obj=world["team"],
        status=WorkOrder.Status.PLANNED,
        building_obj=world["school"],
        planned_start=timezone.now(),
    )
    later = f.work_order(
        world["nesmy"],
        title="Purger les radiateurs",
        team_obj=world["team"],
        status=WorkOrder.Status.PLANNED,
        planned_start=timezone.now() + timedelta(days=2),
    )
    f.work_order(world["venansault"], title="Repeindre la salle", status=WorkOrder.Status.PLANNED)
    response = login(world["ahmed"]).get("/")
    body = response.content.decode()
    assert "Remplacer le robinet" in body and "Repeindre la salle" not in body
    assert [wo.pk for wo in response.context["jobs"]["today"]] == [today.pk]
    assert [wo.pk for wo in response.context["jobs"]["upcoming"]] == [later.pk]


def test_requester_home_offers_to_report_and_shows_only_her_requests(f, login, world):
    nadia = f.user("demandeur.nesmy", role=Role.REQUESTER, organisation=world["nesmy"])
    other = f.user("demandeur2.nesmy", role=Role.REQUESTER, organisation=world["nesmy"])
    f.work_request(world["nesmy"], requested_by=nadia, building_obj=world["school"], description="Fuite évier")
    f.work_request(world["nesmy"], requested_by=other, building_obj=world["school"], description="Néon grillé")
    body = login(nadia).get("/").content.decode()
    assert "Signaler un problème" in body
    assert "Fuite évier" in body and "Néon grillé" not in body
    assert "Reçue — en attente de tri" in body


def test_user_without_membership_is_told_to_ask_for_a_role(f, login):
    response = login(f.user("orphelin")).get("/")
    assert response.status_code == 403
    assert "aucune collectivité" in response.content.decode()


def test_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get("/")
    assert response.status_code == 302 and "/compte/connexion/" in response["Location"]
