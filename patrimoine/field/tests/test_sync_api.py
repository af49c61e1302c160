"""The sync API: every queued operation is applied once, whatever the number of replays; what cannot
land on its order is kept and flagged, never dropped; other people's orders are refused untouched."""

import base64
import io
import json
import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled
from PIL import Image

from conftest import access_of
from patrimoine.core.models import AuditEntry
from patrimoine.costs.models import MaterialLine, TimeEntry
from patrimoine.documents.models import Document
from patrimoine.field.models import OfflineConflict, SyncOperation
from patrimoine.intake.models import WorkRequest
from patrimoine.workorders.models import ChecklistItem, InterventionReport, WorkOrder
from patrimoine.workorders.services import work_order_plan, work_order_transition

pytestmark = pytest.mark.django_db
SYNC = "/terrain/api/sync/"
Status = WorkOrder.Status


def send(client, *operations):
    response = client.post(SYNC, json.dumps({"operations": list(operations)}), content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()["results"]


def op(kind, order, **payload):
    return {"id": str(uuid.uuid4()), "type": kind, "order": str(order.pk), **payload}


def jpeg(size=(800, 600), color=(200, 80, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def png_signature() -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (600, 240), "white").save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def counts(order):
    with scopes_disabled():
        return (
            TimeEntry.objects.filter(work_order=order).count(),
            MaterialLine.objects.filter(work_order=order).count(),
            Document.objects.filter(object_id=order.pk).count(),
            SyncOperation.objects.count(),
            OfflineConflict.objects.count(),
            AuditEntry.objects.count(),
        )


def test_a_day_of_work_lands_once_with_its_cost_even_when_sent_three_times(day, login):
    client = login(day.ahmed)
    today = date.today().isoformat()
    operations = [
        op("statut", day.leak, to="en_cours"),
        op("temps", day.leak, date=today, hours="1.75"),
        op("materiel", day.leak, item=str(day.joint.pk), quantity="2", catalogue_label="Joint fibre 20/27"),
        op("materiel", day.leak, item=str(day.flexible.pk), quantity="1"),
        op("compte_rendu", day.leak, notes="Joint et flexible remplacés, plus de fuite."),
        op("signature", day.leak, signed_by_name="M. Caretaker", image=png_signature()),
        op("statut", day.leak, to="termine"),
    ]
    first = send(client, *operations)
    assert [r["status"] for r in first] == ["applique"] * 7
    # The acknowledgement was lost twice: the phone sends everything again.
    assert send(client, *operations) == first
    assert send(client, *operations) == first
    with scopes_disabled():
        leak = WorkOrder.objects.get(pk=day.leak.pk)
        assert leak.status == Status.DONE
        entry = TimeEntry.objects.get(work_order=leak)
        assert entry.hours == Decimal("1.75") and entry.amount == Decimal("67.20")
        assert entry.client_uuid == uuid.UUID(operations[1]["id"])
        assert sorted(MaterialLine.objects.filter(work_order=leak).values_list("amount", flat=True)) == [
            Decimal("1.70"),
            Decimal("6.90"),
        ]
        assert leak.total_cost == Decimal("75.80")
        report = InterventionReport.objects.get(work_order=leak)
        assert report.notes.startswith("Joint et flexible") and report.signed_by_name == "M. Caretaker"
        assert report.signature.name.endswith(".png")
        assert SyncOperation.objects.count() == 7


def test_planned_order_finished_offline_passes_through_in_progress(day, login):
    [answer] = send(login(day.ahmed), op("statut", day.leak, to="termine"))
    assert answer["status"] == "applique"
    with scopes_disabled():
        moves = list(day.leak.transitions.order_by("at").values_list("to_status", flat=True))
    assert moves[-2:] == [Status.IN_PROGRESS, Status.DONE]


def test_checklist_ticked_offline_is_ticked_once(day, login):
    with scopes_disabled():
        item = ChecklistItem.objects.filter(work_order=day.leak).first()
    tick = op("controle", day.leak, item=str(item.pk), done=True)
    client = login(day.ahmed)
    assert send(client, tick)[0]["status"] == "applique"
    assert send(client, tick)[0]["status"] == "applique"
    with scopes_disabled():
        item.refresh_from_db()
        assert item.done and item.done_by == day.ahmed
        assert AuditEntry.objects.filter(action="work_order.checklist").count() == 1


def test_order_cancelled_while_offline_keeps_the_entries_and_tells_the_technician(day, login):
    with scopes_disabled():
        day.leak.refresh_from_db()
        work_order_transition(
            access=access_of(day.chef),
            work_order=day.leak,
            to_status=Status.CANCELLED,
            expected_version=day.leak.version,
            reason="Doublon",
        )
    time_op = op("temps", day.leak, date=date.today().isoformat(), hours="1.5")
    client = login(day.ahmed)
    [answer] = send(client, time_op)
    assert answer["status"] == "conflit"
    assert "annulé pendant que vous étiez hors ligne" in answer["message"]
    assert "conservée et signalée à votre responsable" in answer["message"]
    assert send(client, time_op) == [answer]  # replay: the same answer, one conflict
    with scopes_disabled():
        assert TimeEntry.objects.filter(work_order=day.leak).count() == 0
        conflict = OfflineConflict.objects.get()
        assert conflict.technician == day.ahmed and conflict.work_order_id == day.leak.pk
        assert conflict.status == OfflineConflict.Status.OPEN
        assert conflict.payload == {"date": date.today().isoformat(), "hours": "1.5"}
        assert conflict.summary == f"1\u00a0h\u00a030 le {date.today():%d/%m/%Y}"
    # The lead sees it, the phone too.
    lead_page = login(day.chef).get("/terrain/a-regulariser/")
    assert "1\u00a0h\u00a030 le" in lead_page.content.decode()
    bootstrap = login(day.ahmed).get("/terrain/api/donnees/").json()
    assert [c["operation"] for c in bootstrap["conflicts"]] == [time_op["id"]]


def test_photo_on_a_cancelled_order_is_kept_with_its_file(day, login):
    with scopes_disabled():
        WorkOrder.objects.filter(pk=day.leak.pk).update(status=Status.CANCELLED)
    client = login(day.ahmed)
    op_id = str(uuid.uuid4())
    response = client.post(
        "/terrain/api/photos/",
        {"id": op_id, "order": str(day.leak.pk), "file": _upload(jpeg())},
    )
    assert response.status_code == 200 and response.json()["status"] == "conflit"
    with scopes_disabled():
        conflict = OfflineConflict.objects.get()
        assert conflict.attachment.read()[:2] == b"\xff\xd8"
        assert Document.objects.filter(object_id=day.leak.pk).count() == 0
    lead = login(day.chef)
    assert lead.get(reverse("field:conflict-attachment", args=[conflict.pk])).status_code == 200


def test_order_reassigned_while_offline_keeps_the_entry_for_the_lead(day, login):
    client = login(day.ahmed)
    client.get("/terrain/api/donnees/")  # the order went to his phone
    with scopes_disabled():
        day.leak.refresh_from_db()
        work_order_plan(
            access=access_of(day.chef),
            work_order=day.leak,
            expected_version=day.leak.version,
            team=day.other_team,
            technicians=[day.bruno],
        )
    [answer] = send(client, op("materiel", day.leak, item=str(day.joint.pk), quantity="2"))
    assert answer["status"] == "conflit"
    assert "confié à quelqu'un d'autre" in answer["message"]
    with scopes_disabled():
        assert MaterialLine.objects.filter(work_order=day.leak).count() == 0
        conflict = OfflineConflict.objects.get(work_order=day.leak, technician=day.ahmed)
        assert conflict.summary == "Joint fibre 20/27 × 2"


@pytest.mark.parametrize("target", ["brunos", "secret"])
def test_an_order_that_never_was_his_is_refused_and_nothing_is_stored(day, login, target):
    client = login(day.ahmed)
    client.get("/terrain/api/donnees/")
    order = getattr(day, target)
    before = counts(order)
    answers = send(
        client,
        op("temps", order, date=date.today().isoformat(), hours="1"),
        op("statut", order, to="termine"),
    )
    assert [a["status"] for a in answers] == ["refuse", "refuse"]
    assert answers[0]["message"] == "Bon de travail introuvable : il n'est pas (ou plus) parmi les vôtres."
    assert counts(order) == before
    with scopes_disabled():
        assert WorkOrder.objects.get(pk=order.pk).status != Status.DONE
    photo = client.post(
        "/terrain/api/photos/", {"id": str(uuid.uuid4()), "order": str(order.pk), "file": _upload(jpeg())}
    )
    assert photo.status_code == 404 and photo.json()["status"] == "refuse"
    assert counts(order) == before


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"type": "temps", "date": "2026-01-05", "hours": "abc"}, "Le temps saisi doit être un nombre d'heures."),
        (
            {"type": "temps", "date": "2026-01-05", "hours": "30"},
            "Le temps saisi doit être compris entre 0,01 et 24 heures.",
        ),
        ({"type": "temps", "date": "hier", "hours": "1"}, "Date invalide."),
        ({"type": "materiel", "quantity": "-1", "item": None}, "Indiquez une quantité positive."),
        ({"type": "statut", "to": "valide"}, "Ce changement de statut n'est pas possible depuis le terrain."),
        ({"type": "statut", "to": "suspendu"}, "Indiquez pourquoi le bon est suspendu (pièces, accès ou prestataire)."),
        ({"type": "envoler"}, "Type d'opération inconnu."),
        ({"type": "temps", "order": "pas-un-uuid", "date": "2026-01-05", "hours": "1"}, "Bon de travail invalide."),
    ],
)
def test_malformed_operations_are_refused_in_french_and_change_nothing(day, login, payload, message):
    raw = {"id": str(uuid.uuid4()), "order": str(day.leak.pk), **payload}
    before = counts(day.leak)
    [answer] = send(login(day.ahmed), raw)
    assert answer["status"] == "invalide"
    assert message in answer["message"]
    assert counts(day.leak) == before


def test_unreadable_batches_get_a_french_400(day, login):
    client = login(day.ahmed)
    response = client.post(SYNC, "pas du json", content_type="application/json")
    assert response.status_code == 400 and "JSON" in response.json()["message"]
    response = client.post(SYNC, json.dumps({"operations": "non"}), content_type="application/json")
    assert response.status_code == 400 and response.json()["message"].startswith("Envoi mal formé")


def test_an_operation_id_used_by_someone_else_is_not_replayed_to_him(day, login, f):
    time_op = op("temps", day.leak, date=date.today().isoformat(), hours="1")
    send(login(day.ahmed), time_op)
    colleague = f.user("technicien3.epci", role="technicien", organisation=day.epci)
    with scopes_disabled():
        day.team.members.create(user=colleague, trade=day.plumbing, grade="agent")
    [answer] = send(login(colleague), time_op)
    assert answer["status"] == "invalide" and answer["result"] == {}
    assert "déjà utilisé" in answer["message"]


def test_a_rule_refusal_on_his_own_order_is_kept_not_lost(day, login):
    with scopes_disabled():
        from patrimoine.costs.models import LabourRate

        LabourRate.objects.all().delete()
    [answer] = send(login(day.ahmed), op("temps", day.leak, date=date.today().isoformat(), hours="2"))
    assert answer["status"] == "conflit"
    assert "Aucun taux horaire n'est défini" in answer["message"]
    with scopes_disabled():
        assert OfflineConflict.objects.filter(work_order=day.leak).count() == 1


def test_photo_sent_twice_after_a_cut_is_stored_once(day, login):
    client = login(day.ahmed)
    op_id = str(uuid.uuid4())
    payload = jpeg()
    first = client.post("/terrain/api/photos/", {"id": op_id, "order": str(day.leak.pk), "file": _upload(payload)})
    again = client.post("/terrain/api/photos/", {"id": op_id, "order": str(day.leak.pk), "file": _upload(payload)})
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json() and first.json()["status"] == "applique"
    with scopes_disabled():
        assert Document.objects.filter(object_id=day.leak.pk).count() == 1


def test_a_file_that_is_not_a_photo_is_refused_in_french(day, login):
    response = login(day.ahmed).post(
        "/terrain/api/photos/",
        {"id": str(uuid.uuid4()), "order": str(day.leak.pk), "file": _upload(b"%PDF-1.4 not a photo", "x.pdf")},
    )
    assert response.status_code == 400
    assert response.json()["message"] == (
        "Le fichier « x.pdf » n'est pas une photo : joignez une image JPEG, PNG ou WebP."
    )
    with scopes_disabled():
        assert SyncOperation.objects.count() == 0


def test_reporting_something_else_files_one_field_request(day, login):
    client = login(day.ahmed)
    op_id = str(uuid.uuid4())
    data = {
        "id": op_id,
        "description": "Dalle du plafond fissurée dans le couloir",
        "urgency": "normale",
        "building": str(day.school.pk),
        "latitude": "46.670123",
        "longitude": "-1.426789",
        "accuracy": "12",
        "photos": [_upload(jpeg(), "a.jpg")],
    }
    first = client.post("/terrain/api/signalements/", data)
    data["photos"] = [_upload(jpeg(), "a.jpg")]
    again = client.post("/terrain/api/signalements/", data)
    assert first.status_code == 200 and first.json() == again.json()
    with scopes_disabled():
        request = WorkRequest.objects.get(channel=WorkRequest.Channel.FIELD)
        assert request.building == day.school and request.requested_by == day.ahmed
        assert "46.670123, -1.426789 (± 12 m)" in request.location_text
        assert Document.objects.filter(object_id=request.pk).count() == 1
    assert first.json()["message"] == f"Signalement {request.reference} enregistré."


def test_reporting_without_a_description_is_refused_in_french(day, login):
    response = login(day.ahmed).post("/terrain/api/signalements/", {"id": str(uuid.uuid4()), "urgency": "normale"})
    assert response.status_code == 400
    assert response.json()["message"] == "Décrivez le problème : que se passe-t-il, et où exactement ?"


def test_signature_that_is_not_a_png_is_refused(day, login):
    [answer] = send(
        login(day.ahmed),
        op(
            "signature",
            day.leak,
            signed_by_name="M. X",
            image="data:image/png;base64," + base64.b64encode(b"GIF89a").decode(),
        ),
    )
    assert answer == {"id": answer["id"], "status": "invalide", "message": "La signature est illisible.", "result": {}}
    with scopes_disabled():
        assert not InterventionReport.objects.filter(work_order=day.leak).exists()
        assert SyncOperation.objects.count() == 0


def test_api_answers_401_in_json_when_signed_out_and_403_for_other_roles(day, client, login, f):
    response = client.post(SYNC, json.dumps({"operations": []}), content_type="application/json")
    assert response.status_code == 401 and "reconnectez-vous" in response.json()["message"]
    assert client.get("/terrain/api/donnees/").status_code == 401
    requester = f.user("demandeur.nesmy", role="demandeur", organisation=day.nesmy)
    response = login(requester).post(SYNC, json.dumps({"operations": []}), content_type="application/json")
    assert response.status_code == 403 and "application terrain" in response.json()["message"]


def _upload(content: bytes, name: str = "photo.jpg"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="image/jpeg")
