"""The isolation matrix for the REST API: every operation of the published schema, with a token of
every role of Nesmy (and of the EPCI's shared team serving Nesmy only), aimed at Venansault's
objects. Reads answer 404, lists never show them, writes are refused — and nothing changes."""

import json

import pytest

from patrimoine.api.tests.helpers import bearer, token_for
from patrimoine.core.tests import test_isolation_matrix as matrix
from patrimoine.maintenance.tests.matrix import venansault_maintenance

pytestmark = pytest.mark.django_db
SECRET = matrix.SECRET


def _targets(o: dict) -> dict:
    """The Venansault object each path prefix points at."""
    return {
        "sites": o["site"],
        "buildings": o["building"],
        "levels": o["level"],
        "spaces": o["space"],
        "equipment": o["equipment"],
        "work-requests": o["request"],
        "work-orders": o["order"],
        "maintenance-plans": o["plan"],
        "items": o["item"],
        "stores": o["store"],
        "contractors": o["order"].contractor,
        "organisations": o["venansault"],
    }


def _fill(path: str, o: dict) -> str | None:
    parts = path.removeprefix("/api/v1/").split("/")
    if "{pk}" not in parts:
        return None
    target = _targets(o)[parts[parts.index("{pk}") - 1]]
    url = path.replace("{pk}", str(target.pk))
    return url.replace("{kind}", "time-entries").replace("{line_pk}", str(o["time_entry"].pk))


def test_no_token_of_another_commune_reaches_venansault(f, client):
    world = matrix._build_world(f)
    o = world.objects
    o.update(venansault_maintenance(o, SECRET))
    schema = client.get("/api/v1/openapi.json").json()
    operations = [(path, method) for path, methods in schema["paths"].items() for method in methods]
    assert len(operations) > 35
    secrets = {username: token_for(world.users[username]) for username in matrix.OUTSIDERS}
    before = matrix._state(o)
    leaks = []
    for username, secret in secrets.items():
        for path, method in operations:
            url = _fill(path, o)
            if url is None:
                if method == "get" and SECRET in client.get(path, **bearer(secret)).content.decode():
                    leaks.append(f"{username}: LIST {path}")
                continue
            body = json.dumps({"title": "x", "name": "x", "reason": "x", "to_status": "annule"})
            response = client.generic(
                method.upper(), url, body, content_type="application/json", HTTP_IF_MATCH="*", **bearer(secret)
            )
            if method == "get" and response.status_code != 404:
                leaks.append(f"{username}: GET {url} → {response.status_code}")
            if method != "get" and response.status_code not in (400, 403, 404, 422):
                leaks.append(f"{username}: {method.upper()} {url} → {response.status_code}")
    assert leaks == [], "\n".join(leaks)
    assert matrix._state(o) == before


def test_venansault_own_lead_does_read_it(f, client):
    """The matrix above would be vacuous if the API did not show Venansault's data to its owners."""
    world = matrix._build_world(f)
    o = world.objects
    secret = token_for(o["v_chef"])
    response = client.get(f"/api/v1/work-orders/{o['order'].pk}", **bearer(secret))
    assert response.status_code == 200 and SECRET in response.json()["title"]
    assert SECRET in client.get("/api/v1/buildings", **bearer(secret)).json()["items"][0]["name"]
