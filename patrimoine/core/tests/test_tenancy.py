import pytest
from django_scopes import ScopeError, scope

from patrimoine.assets.models import Building
from patrimoine.core.services import reference_next

pytestmark = pytest.mark.django_db


def test_unscoped_query_on_tenant_data_fails_loudly(f):
    org = f.organisation("Nesmy")
    f.building(org)
    with pytest.raises(ScopeError):
        list(Building.objects.all())


def test_scope_shows_only_its_organisations_rows(f):
    nesmy, venansault = f.organisation("Nesmy"), f.organisation("Venansault")
    mine = f.building(nesmy, "École Jules Ferry")
    f.building(venansault, "Mairie de Venansault")
    with scope(organisation=[nesmy.pk]):
        assert list(Building.objects.all()) == [mine]
        with pytest.raises(Building.DoesNotExist):
            Building.objects.get(name="Mairie de Venansault")


def test_reference_numbers_count_per_organisation_and_year(f):
    nesmy, venansault = f.organisation("Nesmy"), f.organisation("Venansault")
    assert reference_next(organisation=nesmy, prefix="DI", year=2026) == "DI-2026-000001"
    assert reference_next(organisation=nesmy, prefix="DI", year=2026) == "DI-2026-000002"
    assert reference_next(organisation=venansault, prefix="DI", year=2026) == "DI-2026-000001"
    assert reference_next(organisation=nesmy, prefix="BT", year=2026) == "BT-2026-000001"
    assert reference_next(organisation=nesmy, prefix="DI", year=2027) == "DI-2027-000001"


def test_healthz_answers_when_the_database_does(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
