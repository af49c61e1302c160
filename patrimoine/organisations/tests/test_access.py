import pytest

from conftest import access_of
from patrimoine.organisations.models import Membership

pytestmark = pytest.mark.django_db
Role = Membership.Role


def test_shared_team_lead_reads_and_writes_for_the_communes_his_team_serves(f):
    epci, (nesmy, venansault, other) = f.epci_with_communes("Nesmy", "Venansault", "Aubigny")
    chef = f.user("chef.epci", role=Role.TEAM_LEAD, organisation=epci)
    f.team(epci, "Régie bâtiment", lead=chef, serves=[nesmy, venansault])
    access = access_of(chef)
    assert access.read_org_ids == {epci.pk, nesmy.pk, venansault.pk}
    assert access.write_org_ids == access.read_org_ids
    assert other.pk not in access.read_org_ids


def test_epci_reader_gets_a_read_only_consolidated_view(f):
    epci, (nesmy, venansault) = f.epci_with_communes("Nesmy", "Venansault")
    elu = f.user("lecteur.epci", role=Role.READER, organisation=epci)
    access = access_of(elu)
    assert access.read_org_ids == {epci.pk, nesmy.pk, venansault.pk}
    assert access.write_org_ids == {epci.pk}
    assert access.consolidated


def test_commune_requester_sees_only_his_commune(f):
    epci, (nesmy, venansault) = f.epci_with_communes("Nesmy", "Venansault")
    nadia = f.user("demandeur.nesmy", role=Role.REQUESTER, organisation=nesmy)
    access = access_of(nadia)
    assert access.read_org_ids == {nesmy.pk}
    assert access.can("intake.create") and not access.can("intake.triage")


def test_user_with_two_memberships_acts_for_the_chosen_one(f, login):
    nesmy, venansault = f.organisation("Nesmy"), f.organisation("Venansault")
    claire = f.user("claire", role=Role.MANAGER, organisation=nesmy)
    Membership.objects.create(user=claire, organisation=venansault, role=Role.READER)
    assert access_of(claire, venansault).role == Role.READER
    client = login(claire, nesmy)
    response = client.post("/compte/collectivite/", {"organisation": venansault.pk, "next": "/"})
    assert response.status_code == 302
    assert client.session["active_organisation_id"] == venansault.pk


def test_switching_to_an_organisation_one_does_not_belong_to_is_refused(f, login):
    nesmy, venansault = f.organisation("Nesmy"), f.organisation("Venansault")
    claire = f.user("claire", role=Role.MANAGER, organisation=nesmy)
    client = login(claire, nesmy)
    client.post("/compte/collectivite/", {"organisation": venansault.pk, "next": "/"})
    assert client.session["active_organisation_id"] == nesmy.pk
