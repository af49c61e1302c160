"""Two communes of one agglomeration publishing Open311, each with a client key."""

from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode
from xml.etree import ElementTree

import pytest
from django.core.cache import cache
from django_scopes import scope

from conftest import access_of
from patrimoine.open311 import services
from patrimoine.organisations.models import Membership, Organisation

Role = Membership.Role


@dataclass
class World:
    nesmy: Organisation
    venansault: Organisation
    admin_nesmy: object
    admin_venansault: object
    key_nesmy: str
    key_venansault: str
    building: object  # Venansault's school, with coordinates


def publish(user, organisation) -> str:
    access = access_of(user, organisation)
    with scope(organisation=[organisation.pk]):
        services.services_publish_defaults(access=access)
        _api_key, raw = services.api_key_create(access=access, name="Appli citoyenne")
    return raw


@pytest.fixture
def world(f) -> World:
    cache.clear()  # rate-limit counters of another test
    _epci, (nesmy, venansault) = f.epci_with_communes("Nesmy", "Venansault")
    admin_nesmy = f.user("admin.nesmy", role=Role.ADMIN, organisation=nesmy)
    admin_venansault = f.user("admin.venansault", role=Role.ADMIN, organisation=venansault)
    building = f.building(
        venansault,
        "École Jules Ferry",
        code="ECO-01",
        address="3 rue des Écoles",
        postal_code="85190",
        city="Venansault",
        latitude=Decimal("46.685000"),
        longitude=Decimal("-1.512000"),
    )
    return World(
        nesmy=nesmy,
        venansault=venansault,
        admin_nesmy=admin_nesmy,
        admin_venansault=admin_venansault,
        key_nesmy=publish(admin_nesmy, nesmy),
        key_venansault=publish(admin_venansault, venansault),
        building=building,
    )


def post(client, fmt: str, data: dict, query: str = ""):
    url = f"/open311/v2/requests.{fmt}" + (f"?{query}" if query else "")
    return client.post(url, urlencode(data), content_type="application/x-www-form-urlencoded; charset=utf-8")


def xml(response) -> ElementTree.Element:
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    return ElementTree.fromstring(response.content)


def json_errors(response, status: int) -> list[str]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json; charset=utf-8"
    body = response.json()
    assert isinstance(body, list) and body
    assert all(set(error) == {"code", "description"} and error["code"] == status for error in body)
    return [error["description"] for error in body]


def xml_errors(response, status: int) -> list[str]:
    assert response.status_code == status, response.content
    root = xml(response)
    assert root.tag == "errors"
    errors = root.findall("error")
    assert errors and all(e.findtext("code") == str(status) for e in errors)
    return [e.findtext("description") for e in errors]
