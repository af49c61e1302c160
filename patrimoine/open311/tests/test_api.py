"""Open311 GeoReport v2: every endpoint in JSON and XML, the errors, and tenancy."""

import random
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.core import mail
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from conftest import access_of
from patrimoine.core.models import AuditEntry
from patrimoine.intake.models import WorkRequest
from patrimoine.intake.services import work_request_accept
from patrimoine.open311.models import ApiKey, Service, ServiceRequest
from patrimoine.open311.tests.conftest import json_errors, post, xml, xml_errors
from patrimoine.workorders.models import WorkOrder

pytestmark = pytest.mark.django_db

V2 = "/open311/v2"


def _report(world, **extra):
    return {
        "api_key": world.key_venansault,
        "jurisdiction_id": world.venansault.slug,
        "service_code": "eclairage",
        "lat": "46.685010",
        "long": "-1.512020",
        "description": "Le lampadaire devant l'école clignote.",
        **extra,
    }


def _counts():
    with scopes_disabled():
        return WorkRequest.objects.count(), ServiceRequest.objects.count(), AuditEntry.objects.count()


# --- Discovery and services ----------------------------------------------------------------------


def test_discovery_in_json_and_xml(client):
    body = client.get(f"{V2}/discovery.json").json()
    assert set(body) == {"changeset", "contact", "key_service", "endpoints"}
    endpoint = body["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["type"] == "production"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert client.get(f"{V2}/discovery.json")["Access-Control-Allow-Origin"] == "*"
    root = xml(client.get(f"{V2}/discovery.xml"))
    assert root.tag == "discovery"
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == ["text/xml", "application/json"]
    assert root.findtext("endpoints/endpoint/specification") == "http://wiki.open311.org/GeoReport_v2"


def test_services_list_the_jurisdictions_services(client, world):
    body = client.get(f"{V2}/services.json", {"jurisdiction_id": "venansault"}).json()
    codes = [service["service_code"] for service in body]
    assert "eclairage" in codes and "autre" in codes
    lighting = next(service for service in body if service["service_code"] == "eclairage")
    assert lighting == {
        "service_code": "eclairage",
        "service_name": "Éclairage, électricité",
        "description": None,
        "metadata": True,
        "type": "realtime",
        "keywords": "lumière, ampoule, prise, courant",
        "group": "Bâtiments",
    }
    root = xml(client.get(f"{V2}/services.xml", {"jurisdiction_id": "venansault"}))
    assert root.tag == "services"
    services = root.findall("service")
    assert [s.findtext("service_code") for s in services] == codes
    assert services[0].findtext("metadata") == "true" and services[0].findtext("type") == "realtime"


def test_withdrawn_service_is_not_listed_nor_defined(client, world):
    with scopes_disabled():
        Service.objects.filter(organisation=world.venansault, code="voirie").update(is_active=False)
    codes = [s["service_code"] for s in client.get(f"{V2}/services.json?jurisdiction_id=venansault").json()]
    assert "voirie" not in codes
    json_errors(client.get(f"{V2}/services/voirie.json?jurisdiction_id=venansault"), 404)


def test_service_definition_has_urgency_and_buildings(client, world):
    body = client.get(f"{V2}/services/eclairage.json", {"jurisdiction_id": "venansault"}).json()
    assert body["service_code"] == "eclairage"
    urgency, building = body["attributes"]
    assert urgency["code"] == "urgence" and urgency["datatype"] == "singlevaluelist" and urgency["order"] == 1
    assert {v["key"] for v in urgency["values"]} == {"faible", "normale", "urgente"}
    assert building["code"] == "batiment" and building["values"] == [{"key": "ECO-01", "name": "École Jules Ferry"}]
    assert set(urgency) == {
        "variable",
        "code",
        "datatype",
        "required",
        "datatype_description",
        "order",
        "description",
        "values",
    }
    root = xml(client.get(f"{V2}/services/eclairage.xml", {"jurisdiction_id": "venansault"}))
    assert root.tag == "service_definition"
    assert root.findtext("service_code") == "eclairage"
    attributes = root.findall("attributes/attribute")
    assert [a.findtext("code") for a in attributes] == ["urgence", "batiment"]
    assert attributes[0].findtext("required") == "false" and attributes[0].findtext("variable") == "true"
    assert [v.findtext("key") for v in attributes[1].findall("values/value")] == ["ECO-01"]
    # Nesmy has no building: only the urgency.
    body = client.get(f"{V2}/services/eclairage.json", {"jurisdiction_id": "nesmy"}).json()
    assert [a["code"] for a in body["attributes"]] == ["urgence"]


def test_unknown_service_code(client, world):
    assert "inconnu" in json_errors(client.get(f"{V2}/services/nimporte.json?jurisdiction_id=nesmy"), 404)[0]
    xml_errors(client.get(f"{V2}/services/nimporte.xml?jurisdiction_id=nesmy"), 404)


def test_jurisdiction_is_required_when_several_organisations_publish(client, world):
    messages = json_errors(client.get(f"{V2}/services.json"), 400)
    assert "jurisdiction_id manquant" in messages[0] and "nesmy" in messages[0]
    xml_errors(client.get(f"{V2}/requests.xml"), 400)


def test_jurisdiction_is_optional_when_one_organisation_publishes(client, world):
    with scopes_disabled():
        Service.objects.filter(organisation=world.nesmy).update(is_active=False)
    body = client.get(f"{V2}/services.json").json()
    assert body and "eclairage" in [s["service_code"] for s in body]
    # …and Nesmy, which withdrew all its services, is no longer a jurisdiction.
    json_errors(client.get(f"{V2}/services.json?jurisdiction_id=nesmy"), 404)


def test_unknown_jurisdiction(client, world):
    messages = json_errors(client.get(f"{V2}/services.json?jurisdiction_id=paris.fr"), 404)
    assert "paris.fr" in messages[0]
    xml_errors(client.get(f"{V2}/requests/DI-2026-000001.xml?jurisdiction_id=paris.fr"), 404)
    xml_errors(client.get(f"{V2}/tokens/abc.xml?jurisdiction_id=paris.fr"), 404)


# --- POST requests -------------------------------------------------------------------------------


def test_post_creates_a_work_request_in_json(client, world, django_capture_on_commit_callbacks):
    data = _report(world, email="habitant@example.org", first_name="Léa", last_name="Martin")
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, "json", data)
    assert response.status_code == 200, response.content
    [answer] = response.json()
    assert set(answer) == {"service_request_id", "service_notice", "account_id"}
    with scopes_disabled():
        work_request = WorkRequest.objects.select_related("suggested_trade").get(reference=answer["service_request_id"])
        assert work_request.organisation == world.venansault
        assert work_request.channel == WorkRequest.Channel.CITIZEN
        assert work_request.requested_by is None
        assert work_request.suggested_trade.code == "electricite"
        assert work_request.building == world.building  # 2 m from the school
        assert work_request.latitude == Decimal("46.685010") and work_request.longitude == Decimal("-1.512020")
        assert work_request.requester_name == "Léa Martin" and work_request.requester_email == "habitant@example.org"
        assert work_request.open311.service.code == "eclairage"
        assert ApiKey.objects.get(organisation=world.venansault).last_used_at is not None
    assert [m.to for m in mail.outbox] == [["habitant@example.org"]]  # the acknowledgement


def test_post_in_xml_with_address_attributes_and_media(client, world):
    data = _report(world, media_url="https://photos.example.org/123.jpg", **{"attribute[urgence]": "urgente"})
    del data["lat"], data["long"]
    data.update({"address_string": "Place de la mairie", "address_id": "ECO-01", "service_code": "fuite-eau"})
    response = post(client, "xml", data)
    assert response.status_code == 200, response.content
    root = xml(response)
    assert root.tag == "service_requests"
    reference = root.findtext("request/service_request_id")
    assert root.find("request/token") is None and root.find("request/account_id") is not None
    with scopes_disabled():
        work_request = WorkRequest.objects.get(reference=reference)
        assert work_request.urgency == "urgente" and work_request.building == world.building
        assert work_request.location_text == "Place de la mairie"
        assert work_request.open311.media_url == "https://photos.example.org/123.jpg"


def test_post_with_multipart_form_and_api_key_in_query(client, world):
    data = _report(world)
    key = data.pop("api_key")
    response = client.post(f"{V2}/requests.json?api_key={key}", data)  # multipart/form-data
    assert response.status_code == 200, response.content


def test_batch_service_answers_a_token_then_tokens_resolves_it(client, world):
    with scopes_disabled():
        Service.objects.filter(organisation=world.venansault, code="eclairage").update(type=Service.Type.BATCH)
    [answer] = post(client, "json", _report(world)).json()
    assert "service_request_id" not in answer and answer["token"]
    token = answer["token"]
    [resolved] = client.get(f"{V2}/tokens/{token}.json?jurisdiction_id=venansault").json()
    with scopes_disabled():
        reference = ServiceRequest.objects.get(token=token).work_request.reference
    assert resolved == {"service_request_id": reference, "token": token}
    root = xml(client.get(f"{V2}/tokens/{token}.xml?jurisdiction_id=venansault"))
    assert root.tag == "service_requests" and root.findtext("request/token") == token
    assert root.findtext("request/service_request_id") == reference
    # Another jurisdiction does not know this token.
    json_errors(client.get(f"{V2}/tokens/{token}.json?jurisdiction_id=nesmy"), 404)
    xml_errors(client.get(f"{V2}/tokens/inconnu.xml?jurisdiction_id=venansault"), 404)


@pytest.mark.parametrize(
    ("change", "status", "expected"),
    [
        ({"api_key": None}, 403, "api_key manquant"),
        ({"api_key": "pas-une-cle"}, 403, "api_key invalide"),
        ({"service_code": None}, 400, "service_code manquant"),
        ({"service_code": "nimporte"}, 404, "service_code « nimporte » inconnu"),
        ({"jurisdiction_id": None}, 400, "jurisdiction_id manquant"),
        ({"jurisdiction_id": "paris.fr"}, 404, "jurisdiction_id « paris.fr » inconnu"),
        ({"lat": None, "long": None}, 400, "Lieu manquant"),
        ({"long": None}, 400, "lat et long vont ensemble"),
        ({"lat": "91"}, 400, "lat :"),
        ({"lat": "NaN"}, 400, "lat :"),
        ({"long": "est"}, 400, "long :"),
        ({"email": "pas-un-courriel"}, 400, "email :"),
        ({"phone": "<script>"}, 400, "phone :"),
        ({"media_url": "javascript:alert(1)"}, 400, "media_url :"),
        ({"description": "x" * 4001}, 400, "description :"),
        ({"description": "<script>alert(1)</script>"}, 400, "HTML"),
        ({"description": "Fuite\x07"}, 400, "caractères de contrôle"),
        ({"description": "Fuite\x00"}, 400, "caractère nul"),
        ({"service_code": "eclairage\x00"}, 400, "caractère nul"),
        ({"attribute[urgence]": "immediate"}, 400, "attribute[urgence] :"),
        ({"attribute[batiment]": "INCONNU"}, 400, "Bâtiment « INCONNU » inconnu"),
        ({"address_id": "ECO-01", "attribute[batiment]": "AUTRE"}, 400, "deux bâtiments"),
    ],
)
def test_post_refuses_bad_input_and_creates_nothing(client, world, change, status, expected):
    data = _report(world)
    for name, value in change.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    before = _counts()
    messages = json_errors(post(client, "json", data), status)
    assert any(expected in message for message in messages), messages
    assert _counts() == before
    with scopes_disabled():
        assert not ApiKey.objects.filter(last_used_at__isnull=False).exists()  # a refused POST is no use


def test_post_errors_in_xml(client, world):
    data = _report(world)
    del data["api_key"]
    assert "api_key manquant" in xml_errors(post(client, "xml", data), 403)[0]
    data = _report(world, email="x", lat="100")
    assert len(xml_errors(post(client, "xml", data), 400)) == 2  # every error at once


def test_a_key_only_files_for_its_own_organisation(client, world):
    before = _counts()
    json_errors(post(client, "json", _report(world, api_key=world.key_nesmy)), 403)
    assert _counts() == before


def test_a_revoked_key_is_refused(client, world):
    with scopes_disabled():
        ApiKey.objects.filter(organisation=world.venansault).update(is_active=False)
    json_errors(post(client, "json", _report(world)), 403)


def test_hostile_bodies_are_refused_with_nothing_created(client, world):
    before = _counts()
    url = f"{V2}/requests.json"
    form = "application/x-www-form-urlencoded"
    body = "api_key=k&description=%E9t%E9&service_code=eclairage"  # Latin-1, not UTF-8
    assert "UTF-8" in json_errors(client.post(url, body, content_type=form), 400)[0]
    assert "UTF-8" in json_errors(client.post(url, b"description=\xe9t\xe9", content_type=form), 400)[0]
    big = "description=" + "a" * (65 * 1024)
    assert "trop volumineuse" in json_errors(client.post(url, big, content_type=form), 413)[0]
    many = "&".join(f"f{i}=1" for i in range(100))
    assert "Trop de champs" in json_errors(client.post(url, many, content_type=form), 400)[0]
    assert "non pris en charge" in json_errors(client.post(url, '{"a": 1}', content_type="application/json"), 400)[0]
    assert "UTF-8" in json_errors(client.get(f"{V2}/requests.json?jurisdiction_id=%FF"), 400)[0]
    xml_errors(client.post(f"{V2}/requests.xml", "<x/>", content_type="text/xml"), 400)
    assert _counts() == before


def test_other_methods_are_refused(client, world):
    response = client.delete(f"{V2}/requests.json")
    assert json_errors(response, 405) and response["Allow"] == "GET, POST"
    xml_errors(client.post(f"{V2}/services.xml"), 405)


def test_unknown_open311_address_answers_a_spec_error(client):
    xml_errors(client.get(f"{V2}/nimporte"), 404)
    json_errors(client.get(f"{V2}/services.html.json"), 404)


def test_posts_are_rate_limited(client, world, settings):
    settings.OPEN311_POSTS_PER_MINUTE_PER_KEY = 2
    assert post(client, "json", _report(world)).status_code == 200
    assert post(client, "json", _report(world)).status_code == 200
    before = _counts()
    response = post(client, "json", _report(world))
    assert "Trop de demandes" in json_errors(response, 429)[0] and int(response["Retry-After"]) <= 60
    assert _counts() == before


# --- GET requests --------------------------------------------------------------------------------


def _file(client, world, **extra) -> str:
    response = post(client, "json", _report(world, **extra))
    assert response.status_code == 200, response.content
    return response.json()[0]["service_request_id"]


def test_get_request_shows_public_fields_only(client, world):
    reference = _file(client, world, email="lea@example.org", first_name="Léa", phone="06 12 34 56 78")
    [record] = client.get(f"{V2}/requests/{reference}.json?jurisdiction_id=venansault").json()
    assert record["service_request_id"] == reference
    assert record["status"] == "open" and record["status_notes"] == "Reçue — en attente de tri"
    assert record["service_code"] == "eclairage" and record["service_name"] == "Éclairage, électricité"
    assert record["agency_responsible"] == "Venansault"
    assert record["address_id"] == "ECO-01" and record["zipcode"] == "85190"
    assert record["lat"] == 46.68501 and record["long"] == -1.51202
    assert record["requested_datetime"].endswith(("+01:00", "+02:00"))
    assert set(record) == {
        "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
        "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
        "address", "address_id", "zipcode", "lat", "long", "media_url",
    }  # fmt: skip
    text = client.get(f"{V2}/requests.json?jurisdiction_id=venansault").content.decode()
    text += client.get(f"{V2}/requests/{reference}.xml?jurisdiction_id=venansault").content.decode()
    for personal in ("Léa", "lea@example.org", "06 12 34 56 78"):
        assert personal not in text
    root = xml(client.get(f"{V2}/requests/{reference}.xml?jurisdiction_id=venansault"))
    assert root.tag == "service_requests"
    assert [r.findtext("service_request_id") for r in root.findall("request")] == [reference]
    assert root.findtext("request/status") == "open" and root.find("request/media_url").text is None


def test_unknown_request_id(client, world):
    assert "inconnu" in json_errors(client.get(f"{V2}/requests/DI-2026-999999.json?jurisdiction_id=nesmy"), 404)[0]
    xml_errors(client.get(f"{V2}/requests/DI-2026-999999.xml?jurisdiction_id=nesmy"), 404)


def test_requests_filed_in_the_application_are_not_published(client, world, f):
    internal = f.work_request(world.venansault, description="Fuite dans le bureau du maire")
    json_errors(client.get(f"{V2}/requests/{internal.reference}.json?jurisdiction_id=venansault"), 404)
    assert client.get(f"{V2}/requests.json?jurisdiction_id=venansault").json() == []


def test_one_organisations_requests_never_appear_under_another_jurisdiction(client, world):
    reference = _file(client, world)
    nesmy_ref = _file(
        client, world, api_key=world.key_nesmy, jurisdiction_id="nesmy", description="Lampe grillée à Nesmy"
    )
    venansault = client.get(f"{V2}/requests.json?jurisdiction_id=venansault").json()
    nesmy = client.get(f"{V2}/requests.json?jurisdiction_id=nesmy").json()
    assert [r["service_request_id"] for r in venansault] == [reference]
    assert [r["description"] for r in nesmy] == ["Lampe grillée à Nesmy"]
    # Both communes number their requests from 1: the same id reads each commune's own request.
    assert reference == nesmy_ref
    [one_nesmy] = client.get(f"{V2}/requests/{reference}.json?jurisdiction_id=nesmy").json()
    assert one_nesmy["agency_responsible"] == "Nesmy"
    listed = client.get(f"{V2}/requests.json?jurisdiction_id=nesmy&service_request_id={reference}").json()
    assert [r["agency_responsible"] for r in listed] == ["Nesmy"]


def test_requests_filters(client, world, f):
    first = _file(client, world)
    second = _file(client, world, service_code="fuite-eau", description="Le robinet fuit")
    third = _file(client, world, service_code="fuite-eau", description="Le lavabo est bouché")
    with scopes_disabled():
        old = WorkRequest.objects.get(reference=third, organisation=world.venansault)
        WorkRequest.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=200))
        WorkRequest.objects.filter(reference=second, organisation=world.venansault).update(
            status=WorkRequest.Status.REJECTED, rejection_reason="Hors compétence : M. Dupont s'en charge"
        )

    def ids(query: str, fmt: str = "json") -> list[str]:
        response = client.get(f"{V2}/requests.{fmt}?jurisdiction_id=venansault&{query}")
        assert response.status_code == 200, response.content
        if fmt == "xml":
            return [r.findtext("service_request_id") for r in xml(response).findall("request")]
        return [r["service_request_id"] for r in response.json()]

    assert ids("") == [second, first]  # the last 90 days, newest first
    assert ids("", "xml") == [second, first]
    assert ids("service_code=fuite-eau") == [second]
    assert ids("service_code=fuite-eau,eclairage") == [second, first]
    assert ids("status=closed") == [second]
    assert ids("status=open") == [first]
    assert ids("status=open,closed") == [second, first]
    assert ids("status=open&status=closed") == [second, first]
    assert ids("service_code=fuite-eau&service_code=eclairage&status=") == [second, first]
    assert ids(f"service_request_id={third},{first}") == [first, third]  # ids override the period
    start = (timezone.now() - timedelta(days=210)).strftime("%Y-%m-%dT%H:%M:%SZ")
    # A "+" left unencoded in the query string reads as a space: the offset is still understood.
    end = (timezone.now() - timedelta(days=150)).strftime("%Y-%m-%dT%H:%M:%S+02:00")
    assert ids(f"start_date={start}&end_date={end}") == [third]
    assert ids(f"start_date={start}", "xml") == [third]
    [rejected] = client.get(f"{V2}/requests/{second}.json?jurisdiction_id=venansault").json()
    assert rejected["status"] == "closed" and "Dupont" not in rejected["status_notes"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("start_date=2026-13-01T00:00:00Z", "start_date : date « 2026-13-01T00:00:00Z » invalide"),
        ("start_date=hier", "start_date : date « hier » invalide"),
        ("end_date=2026-01-01T10:00:00", "end_date : date"),  # no time zone
        ("start_date=2026-01-01T00:00:00Z&end_date=2025-12-01T00:00:00Z", "postérieure"),
        ("start_date=2025-01-01T00:00:00Z&end_date=2025-12-01T00:00:00Z", "90 jours"),
        ("status=ouvert", "status : « ouvert » invalide"),
    ],
)
def test_requests_refuse_bad_filters(client, world, query, expected):
    messages = json_errors(client.get(f"{V2}/requests.json?jurisdiction_id=venansault&{query}"), 400)
    assert expected in messages[0]
    xml_errors(client.get(f"{V2}/requests.xml?jurisdiction_id=venansault&{query}"), 400)


def test_status_follows_the_work_order(client, world, f):
    reference = _file(client, world)
    with scopes_disabled():
        work_request = WorkRequest.objects.get(reference=reference, organisation=world.venansault)
        order = f.work_order(
            world.venansault,
            status=WorkOrder.Status.PLANNED,
            planned_start=timezone.now() + timedelta(days=2),
            planned_end=timezone.now() + timedelta(days=2, hours=2),
        )
        WorkRequest.objects.filter(pk=work_request.pk).update(status=WorkRequest.Status.ACCEPTED, work_order=order)

    def record():
        return client.get(f"{V2}/requests/{reference}.json?jurisdiction_id=venansault").json()[0]

    planned = record()
    assert planned["status"] == "open" and planned["status_notes"].startswith("Planifiée")
    assert planned["expected_datetime"] is not None
    with scopes_disabled():
        WorkOrder.objects.filter(pk=order.pk).update(status=WorkOrder.Status.DONE, completed_at=timezone.now())
    done = record()
    assert done["status"] == "closed" and done["status_notes"].startswith("Terminée")
    assert done["expected_datetime"] is None
    with scopes_disabled():
        WorkOrder.objects.filter(pk=order.pk).update(status=WorkOrder.Status.CANCELLED)
    assert record()["status"] == "closed"
    assert (
        client.get(f"{V2}/requests.json?jurisdiction_id=venansault&status=closed").json()[0]["service_request_id"]
        == reference
    )


def test_merged_request_follows_the_request_it_joined(client, world):
    first = _file(client, world)
    second = _file(client, world)
    with scopes_disabled():
        master = WorkRequest.objects.get(reference=first, organisation=world.venansault)
        WorkRequest.objects.filter(reference=second, organisation=world.venansault).update(
            status=WorkRequest.Status.MERGED, duplicate_of=master
        )
    [merged] = client.get(f"{V2}/requests/{second}.json?jurisdiction_id=venansault").json()
    assert merged["status"] == "open" and merged["status_notes"].startswith(f"Fusionnée avec {first}")
    with scopes_disabled():
        WorkRequest.objects.filter(pk=master.pk).update(status=WorkRequest.Status.REJECTED, rejection_reason="Doublon")
    [merged] = client.get(f"{V2}/requests/{second}.json?jurisdiction_id=venansault").json()
    assert merged["status"] == "closed" and "Doublon" not in merged["status_notes"]
    closed = client.get(f"{V2}/requests.json?jurisdiction_id=venansault&status=closed").json()
    assert {r["service_request_id"] for r in closed} == {first, second}


def test_requests_list_runs_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    url = f"{V2}/requests.json?jurisdiction_id=venansault"
    _file(client, world)
    client.get(url)  # warm the caches
    with django_assert_max_num_queries(2):  # the jurisdictions, then the requests with all they show
        assert len(client.get(url).json()) == 1
    for _index in range(5):
        _file(client, world, service_code="fuite-eau")
    with django_assert_max_num_queries(2):
        assert len(client.get(url).json()) == 6


@pytest.mark.parametrize(
    "path",
    [
        "/services/%00.json",
        "/services/%C3%28.xml",
        "/requests/%27%20OR%201%3D1--.json",
        "/requests/" + "9" * 5000 + ".xml",
        "/tokens/..%2F..%2Fetc%2Fpasswd.json",
        "/requests.json?start_date=%00&jurisdiction_id=venansault",
        "/requests.xml?jurisdiction_id=venansault&service_request_id=" + ",".join(["x"] * 300),
        "/requests.json?" + "&".join(f"a{i}=1" for i in range(200)),
        "/services.json?jurisdiction_id=" + "v" * 10000,
    ],
)
def test_hostile_addresses_answer_4xx_in_the_spec_format(client, world, path):
    response = client.get(V2 + path)
    assert 400 <= response.status_code < 500, response.content[:200]
    if path.split("?")[0].endswith(".xml"):
        xml_errors(response, response.status_code)
    else:
        json_errors(response, response.status_code)


def test_random_bodies_never_cause_a_server_error(client, world, settings):
    """Seeded fuzzing: random bytes, random fields and values around a valid report."""
    settings.OPEN311_POSTS_PER_MINUTE_PER_ADDRESS = settings.OPEN311_POSTS_PER_MINUTE_PER_KEY = 1000
    rng = random.Random(311)
    valid = _report(world)
    alphabet = ["a", "é", "%", "&", "=", "[", "]", "+", "\x00", "<", "9", ".", "-", "\ufffd", "𝄞", " "]
    before = _counts()
    for index in range(60):
        if index % 3 == 0:
            body = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 300)))
        else:
            data = dict(valid)
            for name in rng.sample(sorted(data), 3):
                data[name] = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 40)))
            if index % 2:
                del data["api_key"]
            body = urlencode(data).encode()
        fmt = rng.choice(["json", "xml"])
        response = client.post(f"{V2}/requests.{fmt}", body, content_type="application/x-www-form-urlencoded")
        assert 400 <= response.status_code < 500 or response.status_code == 200, (body, response.content)
        if response.status_code != 200:
            (xml_errors if fmt == "xml" else json_errors)(response, response.status_code)
    with scopes_disabled():
        created = WorkRequest.objects.count() - before[0]
    assert created <= 20  # only bodies that kept a valid key and location may file


def test_a_team_lead_triages_an_open311_request_like_any_other(client, world, f, login):
    reference = _file(client, world, first_name="Léa", email="lea@example.org")
    chef = f.user("chef.venansault", role="chef", organisation=world.venansault)
    with scopes_disabled():
        work_request = WorkRequest.objects.get(reference=reference, organisation=world.venansault)
    login(chef)
    page = client.get(f"/demandes/{work_request.pk}/")
    assert page.status_code == 200 and "Léa" in page.content.decode()  # the agents see who reported
    client.logout()
    with scope(organisation=[world.venansault.pk]):
        work_request_accept(access=access_of(chef, world.venansault), work_request=work_request)
    [record] = client.get(f"{V2}/requests/{reference}.json?jurisdiction_id=venansault").json()
    assert record["status"] == "open" and record["status_notes"] == "Acceptée — intervention à planifier"
