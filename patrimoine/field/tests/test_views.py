"""What goes to the phone (and what never does), the installable shell, and the team lead's list of
offline entries to settle."""

import json
import uuid
from datetime import date

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from patrimoine.core.models import AuditEntry
from patrimoine.costs.models import LabourRate, TimeEntry
from patrimoine.field.models import FieldDelivery, OfflineConflict
from patrimoine.intake.models import WorkRequest
from patrimoine.organisations.models import Membership
from patrimoine.workorders.models import WorkOrder

from .conftest import plan
from .test_sync_api import op, png_signature, send

pytestmark = pytest.mark.django_db
Role = Membership.Role
BOOTSTRAP = "/terrain/api/donnees/"


def test_my_phone_gets_my_orders_with_place_history_checklist_and_requests(day, login, f):
    with scopes_disabled():
        school_head = f.user("directrice", role=Role.REQUESTER, organisation=day.nesmy, first_name="Nadia")
        f.work_request(day.nesmy, requested_by=school_head, building_obj=day.school, work_order=day.leak)
        f.work_request(
            day.nesmy,
            description="Vu depuis la rue",
            requester_name="Jean Citoyen",
            requester_phone="0601020304",
            channel=WorkRequest.Channel.CITIZEN,
            work_order=day.leak,
        )
    data = login(day.ahmed).get(BOOTSTRAP).json()
    assert data["user"]["name"] == "Ahmed Benali"
    assert [o["reference"] for o in data["orders"]] == [day.leak.reference]
    leak = data["orders"][0]
    assert leak["mine"] and leak["group"] == "today" and leak["status"] == WorkOrder.Status.PLANNED
    assert leak["place"]["address"] == "2 rue des Écoles, 85310 Nesmy"
    assert leak["place"]["geo"].startswith("geo:0,0?q=2%20rue")
    assert leak["place"]["map"].startswith("https://www.openstreetmap.org/search?query=")
    assert [i["label"] for i in leak["checklist"]] == ["Couper l'eau", "Vérifier l'étanchéité"]
    [past] = leak["equipment"]["history"]
    assert past["notes"] == "Vanne 20/27 remplacée." and past["materials"] == ["Joint fibre 20/27 × 2"]
    requesters = [r["requester"] for r in leak["requests"]]
    assert requesters == ["Nadia", ""]  # an agent's name helps; a citizen's stays off the phone
    body = json.dumps(data)
    assert "Jean Citoyen" not in body and "0601020304" not in body and "Zyxwvu" not in body
    with scopes_disabled():
        assert FieldDelivery.objects.filter(user=day.ahmed, work_order=day.leak).exists()


def test_catalogue_offers_the_items_of_my_orders_without_prices(day, login):
    items = login(day.ahmed).get("/terrain/api/catalogue/").json()["items"]
    assert sorted(i["label"] for i in items) == ["Flexible inox 50 cm", "Joint fibre 20/27", "Robinet d'arrêt 1/2"]
    assert set(items[0]) == {"id", "ref", "label", "unit", "org"}


def test_bootstrap_is_compressed_for_the_phone(day, login):
    response = login(day.ahmed).get(BOOTSTRAP, HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"


def test_bootstrap_query_count_does_not_grow_with_orders(day, login, f, django_assert_num_queries):
    client = login(day.ahmed)

    def add_orders(n):
        for index in range(n):
            order = f.work_order(day.nesmy, title=f"Bon {index}", building_obj=day.school, equipment=day.boiler)
            plan(order, day.team, [day.ahmed], planner=day.chef)
            f.work_request(day.nesmy, building_obj=day.school, work_order=order)

    add_orders(2)
    with CaptureQueriesContext(connection) as few:
        assert len(client.get(BOOTSTRAP).json()["orders"]) == 3
    add_orders(27)
    with django_assert_num_queries(len(few.captured_queries)):
        assert len(client.get(BOOTSTRAP).json()["orders"]) == 30


def test_people_of_another_agglomeration_get_nothing(day, login, f):
    other_epci, (elsewhere,) = f.epci_with_communes("Ailleurs")
    stranger = f.user("technicien.ailleurs", role=Role.TECHNICIAN, organisation=other_epci)
    f.team(other_epci, "Régie ailleurs", members=[stranger], serves=[elsewhere])
    client = login(stranger)
    data = client.get(BOOTSTRAP).json()
    assert data["orders"] == [] and data["conflicts"] == []
    assert client.get("/terrain/api/catalogue/").json()["items"] == []
    assert client.get(reverse("field:order-signature", args=[day.leak.pk])).status_code == 404


def test_the_shell_is_the_same_for_everyone_and_only_for_field_roles(day, login, client, f):
    page = login(day.ahmed).get("/terrain/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'rel="manifest" href="/terrain/manifest.webmanifest"' in html
    assert "Ahmed" not in html and day.leak.reference not in html  # data comes from the API, cached apart
    assert "csrftoken" in page.cookies
    requester = f.user("demandeur.nesmy", role=Role.REQUESTER, organisation=day.nesmy)
    assert login(requester).get("/terrain/").status_code == 403


def test_technician_navigation_leads_to_the_field_app(day, login):
    html = login(day.ahmed).get("/").content.decode()
    assert 'href="/terrain/"' in html and "Application terrain" in html


def test_manifest_and_service_worker_are_served_without_session(client):
    client.logout()
    manifest = client.get("/terrain/manifest.webmanifest")
    assert manifest.status_code == 200 and manifest["Content-Type"] == "application/manifest+json"
    data = manifest.json()
    assert data["start_url"] == data["scope"] == "/terrain/" and data["display"] == "standalone"
    assert {icon["sizes"] for icon in data["icons"]} == {"192x192", "512x512"}
    for icon in data["icons"]:
        assert finders.find(icon["src"].removeprefix("/static/"))
    worker = client.get("/terrain/sw.js")
    assert worker.status_code == 200 and worker["Content-Type"].startswith("text/javascript")
    assert worker["Service-Worker-Allowed"] == "/terrain/" and worker["Cache-Control"] == "no-cache"
    body = b"".join(worker).decode() if worker.streaming else worker.content.decode()
    config = json.loads(body.split("\n", 1)[0].removeprefix("self.TERRAIN = ").removesuffix(";"))
    assert "/terrain/" in config["precache"] and "/static/field/app.js" in config["precache"]
    assert config["data"] == ["/terrain/api/donnees/", "/terrain/api/catalogue/"]
    assert config["documents"] == "/documents/"


# --- Conflicts ------------------------------------------------------------------------------------


def _conflict(day, login, hours="1.5"):
    with scopes_disabled():
        WorkOrder.objects.filter(pk=day.leak.pk).update(status=WorkOrder.Status.CANCELLED)
    [answer] = send(login(day.ahmed), op("temps", day.leak, date=date.today().isoformat(), hours=hours))
    assert answer["status"] == "conflit"
    with scopes_disabled():
        return OfflineConflict.objects.get(operation_id=answer["id"])


def test_lead_files_a_kept_entry_with_a_note(day, login):
    conflict = _conflict(day, login)
    lead = login(day.chef)
    url = reverse("field:conflict-detail", args=[conflict.pk])
    page = lead.get(url)
    assert page.status_code == 200 and "annulé pendant que vous étiez hors ligne" in page.content.decode()
    assert "Réintégrer au bon" not in page.content.decode()  # the order is cancelled
    refused = lead.post(url, {"decision": "classer", "note": ""})
    assert refused.status_code == 400
    assert "Indiquez pourquoi cette saisie est classée" in refused.content.decode()
    response = lead.post(url, {"decision": "classer", "note": "Heures passées sur le doublon BT-12"})
    assert response.status_code == 302
    with scopes_disabled():
        conflict.refresh_from_db()
        assert conflict.status == OfflineConflict.Status.DISMISSED and conflict.resolved_by == day.chef
        assert AuditEntry.objects.filter(action="field.conflict.resolve").count() == 1
    lead.get("/terrain/a-regulariser/")  # shows the success message once
    assert lead.get("/terrain/a-regulariser/").content.decode().count(conflict.summary) == 0
    assert conflict.summary in lead.get("/terrain/a-regulariser/?statut=toutes").content.decode()


def test_lead_reintegrates_an_entry_once_the_rule_is_met(day, login):
    with scopes_disabled():
        rate = LabourRate.objects.get()
        LabourRate.objects.all().delete()
    [answer] = send(login(day.ahmed), op("temps", day.leak, date=date.today().isoformat(), hours="2"))
    assert answer["status"] == "conflit"
    with scopes_disabled():
        conflict = OfflineConflict.objects.get()
        rate.pk = None
        rate.save()
    response = login(day.chef).post(reverse("field:conflict-detail", args=[conflict.pk]), {"decision": "reintegrer"})
    assert response.status_code == 302
    with scopes_disabled():
        entry = TimeEntry.objects.get(work_order=day.leak)
        assert entry.technician == day.ahmed and str(entry.client_uuid) == answer["id"]
        assert str(entry.amount) == "76.80"
        conflict.refresh_from_db()
        assert conflict.status == OfflineConflict.Status.REINTEGRATED


def test_technician_sees_his_kept_entries_but_cannot_settle_them(day, login):
    conflict = _conflict(day, login)
    client = login(day.ahmed)
    assert conflict.summary in client.get("/terrain/a-regulariser/").content.decode()
    url = reverse("field:conflict-detail", args=[conflict.pk])
    assert client.post(url, {"decision": "classer", "note": "moi"}).status_code == 403
    with scopes_disabled():
        conflict.refresh_from_db()
        assert conflict.status == OfflineConflict.Status.OPEN


def test_nobody_of_another_agglomeration_sees_or_settles_a_conflict(day, login, f):
    conflict = _conflict(day, login)
    other_epci, (elsewhere,) = f.epci_with_communes("Ailleurs")
    lead = f.user("chef.ailleurs", role=Role.TEAM_LEAD, organisation=other_epci)
    f.team(other_epci, "Régie ailleurs", lead=lead, serves=[elsewhere])
    client = login(lead)
    assert conflict.summary not in client.get("/terrain/a-regulariser/?statut=toutes").content.decode()
    for name in ("field:conflict-detail", "field:conflict-attachment"):
        assert client.get(reverse(name, args=[conflict.pk])).status_code == 404
    assert (
        client.post(
            reverse("field:conflict-detail", args=[conflict.pk]), {"decision": "classer", "note": "x"}
        ).status_code
        == 404
    )
    with scopes_disabled():
        conflict.refresh_from_db()
        assert conflict.status == OfflineConflict.Status.OPEN


def test_conflict_list_query_count_does_not_grow(day, login, django_assert_num_queries):
    with scopes_disabled():
        WorkOrder.objects.filter(pk=day.leak.pk).update(status=WorkOrder.Status.CANCELLED)
    technician = Client()
    technician.force_login(day.ahmed)
    lead = login(day.chef)

    def add(n):
        send(technician, *[op("temps", day.leak, date=date.today().isoformat(), hours="0.25") for _ in range(n)])

    add(3)
    with CaptureQueriesContext(connection) as few:
        assert lead.get("/terrain/a-regulariser/").content.decode().count('href="/terrain/a-regulariser/') == 3
    queries = len(few.captured_queries)  # read now: the next requests reset the query log
    add(27)
    with django_assert_num_queries(queries):
        page = lead.get("/terrain/a-regulariser/")
    assert page.content.decode().count('href="/terrain/a-regulariser/') == 25


def test_signature_is_shown_to_whoever_may_read_the_order(day, login):
    send(login(day.ahmed), op("signature", day.leak, signed_by_name="M. Caretaker", image=png_signature()))
    response = login(day.chef).get(reverse("field:order-signature", args=[day.leak.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content)[:8] == b"\x89PNG\r\n\x1a\n"


def test_unknown_conflict_is_a_404(day, login):
    assert login(day.chef).get(reverse("field:conflict-detail", args=[uuid.uuid4()])).status_code == 404


def test_an_unchanged_copy_costs_a_304_and_a_change_a_new_copy(day, login):
    client = login(day.ahmed)
    for url in (BOOTSTRAP, "/terrain/api/catalogue/"):
        first = client.get(url)
        assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    etag = client.get(BOOTSTRAP)["ETag"]
    send(client, op("temps", day.leak, date=date.today().isoformat(), hours="1"))
    changed = client.get(BOOTSTRAP, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed.json()["orders"][0]["time_entries"][0]["hours"] == "1.00"


def test_order_page_tag_lists_the_kept_entries_to_whoever_sees_the_order(day, login, rf, f):
    from django.template import Context, Template

    from patrimoine.organisations.access import access_for_user

    conflict = _conflict(day, login)
    template = Template("{% load field_ui %}{% offline_conflicts order %}")

    def rendered(user):
        request = rf.get("/")
        request.user, request.access = user, access_for_user(user)
        with scopes_disabled():
            order = WorkOrder.objects.get(pk=day.leak.pk)
        from django_scopes import scope

        with scope(organisation=sorted(request.access.read_org_ids)):
            return template.render(Context({"request": request, "order": order}))

    html = rendered(day.chef)
    assert "1 saisie hors ligne à régulariser" in html and reverse("field:conflict-detail", args=[conflict.pk]) in html
    other_epci, (elsewhere,) = f.epci_with_communes("Ailleurs")
    stranger = f.user("chef.ailleurs", role=Role.TEAM_LEAD, organisation=other_epci)
    assert rendered(stranger).strip() == ""


def test_the_cancelled_order_page_tells_the_lead_what_was_kept(day, login):
    conflict = _conflict(day, login, hours="2")
    html = login(day.chef).get(reverse("workorders:detail", args=[day.leak.pk])).content.decode()
    assert "1 saisie hors ligne à régulariser" in html
    assert reverse("field:conflict-detail", args=[conflict.pk]) in html
