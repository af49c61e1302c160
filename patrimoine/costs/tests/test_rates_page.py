"""The labour rates page: everyone who sees costs reads them, only the admin sets them."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from patrimoine.costs.models import LabourRate
from patrimoine.organisations.models import Membership, TeamMember

from .conftest import THIS_YEAR

pytestmark = [pytest.mark.django_db]
Role = Membership.Role
URL = reverse("costs:rates")


def _rates(org):
    with scopes_disabled():
        return {(r.year, r.grade, r.trade_id): r.hourly_rate for r in LabourRate.objects.filter(organisation=org)}


def test_admin_sets_a_rate_typed_the_french_way(f, login, world):
    admin = f.user("admin.epci", role=Role.ADMIN, organisation=world["epci"])
    client = login(admin)
    response = client.post(
        URL, {"year": THIS_YEAR, "grade": TeamMember.Grade.TECHNICIEN, "trade": "", "hourly_rate": "44,75"}
    )
    assert response.status_code == 302
    assert _rates(world["epci"])[(THIS_YEAR, TeamMember.Grade.TECHNICIEN, None)] == Decimal("44.75")
    page = client.get(URL).content.decode()
    assert "44,75\u00a0€" in page and "Taux enregistré" in page


def test_setting_an_existing_rate_replaces_it(f, login, world):
    admin = f.user("admin.epci", role=Role.ADMIN, organisation=world["epci"])
    login(admin).post(
        URL,
        {"year": THIS_YEAR, "grade": TeamMember.Grade.AGENT, "trade": world["plumbing"].pk, "hourly_rate": "39"},
    )
    rates = _rates(world["epci"])
    assert rates[(THIS_YEAR, TeamMember.Grade.AGENT, world["plumbing"].pk)] == Decimal("39.00")
    assert len(rates) == 2


def test_a_bad_rate_is_a_french_error_and_changes_nothing(f, login, world):
    admin = f.user("admin.epci", role=Role.ADMIN, organisation=world["epci"])
    before = _rates(world["epci"])
    response = login(admin).post(URL, {"year": THIS_YEAR, "grade": TeamMember.Grade.AGENT, "hourly_rate": "abc"})
    assert response.status_code == 400
    assert "Saisissez un nombre" in response.content.decode()
    assert _rates(world["epci"]) == before


def test_a_reader_sees_the_rates_but_cannot_set_them(f, login, world):
    reader = f.user("lecteur.epci", role=Role.READER, organisation=world["epci"])
    client = login(reader)
    page = client.get(URL).content.decode()
    assert "38,40\u00a0€" in page and "Fixer un taux" not in page
    response = client.post(URL, {"year": THIS_YEAR, "grade": TeamMember.Grade.AGENT, "hourly_rate": "1"})
    assert response.status_code == 403
    assert len(_rates(world["epci"])) == 2


def test_each_organisation_sees_only_its_own_rates(f, login, world):
    manager = f.user("gestionnaire.venansault", role=Role.MANAGER, organisation=world["venansault"])
    page = login(manager).get(URL).content.decode()
    assert "30,00\u00a0€" in page
    assert "38,40" not in page and "41,20" not in page


def test_a_technician_has_no_rates_page(login, world):
    assert login(world["ahmed"]).get(URL).status_code == 403
