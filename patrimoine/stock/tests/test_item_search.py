"""Catalogue search: the search-as-you-type of the material form, and its plain page."""

import uuid

import pytest
from django.urls import reverse

from patrimoine.organisations.models import Membership
from patrimoine.workorders.models import WorkOrder

pytestmark = [pytest.mark.django_db]
Role = Membership.Role
URL = reverse("stock:item-search")
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def shop(f):
    epci, (nesmy, venansault) = f.epci_with_communes("Nesmy", "Venansault")
    ahmed = f.user(role=Role.TECHNICIAN, organisation=epci)
    team = f.team(epci, "Régie bâtiment", members=[ahmed], serves=[nesmy])
    order = f.work_order(nesmy, team_obj=team, status=WorkOrder.Status.IN_PROGRESS)
    return {
        "epci": epci,
        "nesmy": nesmy,
        "venansault": venansault,
        "ahmed": ahmed,
        "order": order,
        "joint": f.item(epci, "Joint fibre 20/27", reference="JF2027"),
        "joint_nesmy": f.item(nesmy, "Joint de robinet", reference="JR12"),
        "old": f.item(epci, "Joint amiante (retiré)", reference="JOLD", is_active=False),
        "flexible": f.item(epci, "Flexible inox 50 cm", reference="FLX50"),
        "foreign": f.item(venansault, "Joint Venansault", reference="JV"),
    }


def test_typing_joint_lists_the_active_joints_of_the_orders_catalogues(login, shop):
    response = login(shop["ahmed"]).get(URL, {"q": "joint", "bon": shop["order"].pk}, **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith("<option")
    assert "Joint fibre 20/27" in html and "Joint de robinet" in html
    assert "2 articles trouvés" in html
    assert "amiante" not in html and "Flexible" not in html and "Venansault" not in html


def test_search_matches_the_reference_too(login, shop):
    html = login(shop["ahmed"]).get(URL, {"q": "flx", "bon": shop["order"].pk}, **HTMX).content.decode()
    assert "Flexible inox 50 cm" in html


def test_another_communes_catalogue_never_shows(f, login, shop):
    outsider = f.user(role=Role.TEAM_LEAD, organisation=shop["venansault"])
    client = login(outsider)
    html = client.get(URL, {"q": "joint"}, **HTMX).content.decode()
    assert "Joint Venansault" in html
    assert "Joint fibre" not in html and "Joint de robinet" not in html
    # The order of another commune answers 404, like a missing one.
    assert client.get(URL, {"q": "joint", "bon": shop["order"].pk}, **HTMX).status_code == 404
    assert client.get(URL, {"q": "joint", "bon": uuid.uuid4()}, **HTMX).status_code == 404


def test_without_javascript_the_search_is_a_page(login, shop):
    response = login(shop["ahmed"]).get(URL, {"q": "joint"})
    html = response.content.decode()
    assert response.status_code == 200 and "<h1>" in html and "Joint fibre 20/27" in html


def test_a_requester_cannot_search_the_catalogue(f, login, shop):
    requester = f.user(role=Role.REQUESTER, organisation=shop["nesmy"])
    assert login(requester).get(URL, {"q": "joint"}).status_code == 403
