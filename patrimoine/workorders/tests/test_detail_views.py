"""The work-order page and its actions: transitions, checklist, report, photos, edit, create, plan."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from patrimoine.documents.models import Document
from patrimoine.organisations.models import Membership
from patrimoine.workorders.models import ChecklistItem, InterventionReport, WorkOrder, WorkOrderTransition
from patrimoine.workorders.tests.conftest import outsiders
from patrimoine.workorders.tests.test_services_ui import png_upload

pytestmark = [pytest.mark.django_db]
Role = Membership.Role
Status = WorkOrder.Status


def url(name, wo, *args):
    return reverse(f"workorders:{name}", args=[wo.pk, *args])


def fresh(wo):
    with scopes_disabled():
        return WorkOrder.objects.get(pk=wo.pk)


def text(response) -> str:
    return response.content.decode()


# --- Detail page ---------------------------------------------------------------------------------


def test_detail_shows_facts_place_request_and_history(f, world, login):
    boiler = f.equipment(world.school, "Chaudière gaz")
    wo = f.work_order(
        world.nesmy,
        title="Fuite cantine",
        building_obj=world.school,
        equipment=boiler,
        team_obj=world.team,
        due_date=timezone.localdate() + timedelta(days=2),
    )
    request = f.work_request(world.nesmy, building_obj=world.school, description="L'eau coule par terre", work_order=wo)
    with scopes_disabled():
        WorkOrderTransition.objects.create(
            organisation=world.nesmy, work_order=wo, to_status=Status.TO_PLAN, actor=world.chef, reason="Création"
        )
    response = login(world.chef).get(url("detail", wo))
    html = text(response)
    assert response.status_code == 200
    for expected in (
        wo.reference,
        "Fuite cantine",
        "Plomberie",
        "École Jules Ferry",
        "Chaudière gaz",
        "Régie bâtiment",
    ):
        assert expected in html
    assert request.reference in html and "L&#x27;eau coule par terre" in html
    assert "Karim Haddad" in html and "Création" in html  # the history: who and why
    assert 'id="couts"' in html  # the cost section of the costs app is included


def test_detail_for_a_reader_has_no_action_forms(f, world, login):
    wo = f.work_order(world.nesmy, team_obj=world.team, status=Status.IN_PROGRESS)
    with scopes_disabled():
        ChecklistItem.objects.create(organisation=world.nesmy, work_order=wo, label="Couper l'eau")
    html = text(login(world.reader_nesmy).get(url("detail", wo)))
    assert url("transition", wo) not in html and url("report", wo) not in html and url("photo-add", wo) not in html
    assert "Couper l&#x27;eau" in html


def test_technician_sees_start_and_lead_sees_cancel_buttons(f, world, login):
    wo = f.work_order(world.nesmy, team_obj=world.team, status=Status.PLANNED)
    tech_html = text(login(world.ahmed).get(url("detail", wo)))
    assert "Commencer l&#x27;intervention" in tech_html and "Annuler le bon" not in tech_html
    chef_html = text(login(world.chef).get(url("detail", wo)))
    assert "Annuler le bon" in chef_html and "Motif de l&#x27;annulation" in chef_html


@pytest.mark.parametrize("role_index", range(len(Role.values)))
def test_no_action_reaches_another_organisation_order(f, world, login, role_index):
    wo = f.work_order(world.nesmy, team_obj=world.team, status=Status.IN_PROGRESS)
    with scopes_disabled():
        item = ChecklistItem.objects.create(organisation=world.nesmy, work_order=wo, label="Couper l'eau")
    _role, user, org = outsiders(f, world)[role_index]
    client = login(user, org)
    posts = [
        (url("transition", wo), {"to": Status.DONE, "version": 1}),
        (url("checklist-toggle", wo, item.pk), {"done": "1", "version": 1}),
        (url("report", wo), {"notes": "x", "signed_by_name": "", "version": 1}),
        (url("edit", wo), {"title": "Piraté", "trade": world.plumbing.pk, "kind": "curatif", "priority": "2_normale"}),
        (url("plan", wo), {"team": world.team.pk, "version": 1}),
        (url("plan-slot", wo), {"team": world.team.pk, "technician": world.ahmed.pk, "day": "2026-03-03"}),
    ]
    for target, data in posts:
        assert client.post(target, data).status_code == 404, target
    assert client.get(url("edit", wo)).status_code == 404
    wo = fresh(wo)
    assert (wo.status, wo.version, wo.title) == (Status.IN_PROGRESS, 1, "Réparer la fuite")


# --- Transitions ---------------------------------------------------------------------------------


def test_technician_starts_then_finishes_through_the_page(f, world, login):
    wo = f.work_order(world.nesmy, team_obj=world.team, status=Status.PLANNED)
    client = login(world.ahmed)
    response = client.post(url("transition", wo), {"to": Status.IN_PROGRESS, "version": 1})
    assert response.status_code == 302 and response["Location"] == url("detail", wo)
    response = client.post(url("transition", wo), {"to": Status.DONE, "version": 2}, follow=True)
    assert "« Terminé »" in text(response)
    assert fresh(wo).status == Status.DONE and fresh(wo).completed_at is not None


def test_refused_transition_changes_nothing_and_says_why_in_french(f, world, login):
    wo = f.work_order(world.nesmy, team_obj=world.team, status=Status.TO_PLAN)
    response = login(world.chef).post(url("transition", wo), {"to": Status.VALIDATED, "version": 1})
    assert response.status_code == 400
    assert "Impossible de passer un bon « À planifier » à « Validé (clos) »." in text(response)
    wo = fresh(wo)
    assert (wo.status, wo.version) == (Status.TO_PLAN, 1)


def test_technician_cannot_validate_through_the_page(f, world, login):
    wo = f.work_order(world.nesmy, team_obj=world.team, status=Status.DONE)
    response = login(world.ahmed).post(url("transition", wo), {"to": Status.VALIDATED, "version": 1})
    assert response.status_code == 403
    assert "Votre rôle ne permet pas cette action" in text(response)
    assert fresh(wo).status == Status.DONE


def test_cancel_without_reason_is_refused_then_accepted_with_one(f, world, login):
    wo = f.work_order(world.nesmy, team_obj=world.team)
    client = login(world.chef)
    response = client.post(url("transition", wo), {"to": Status.CANCELLED, "version": 1, "reason": " "})
    assert response.status_code == 400 and "Indiquez le motif de l&#x27;annulation" in text(response)
    assert fresh(wo).status == Status.TO_PLAN
    client.post(url("transition", wo), {"to": Status.CANCELLED, "version": 1, "reason": "Doublon de BT-12"})
    with scopes_disabled():
        last = WorkOrderTransition.objects.filter(work_order=wo).latest("at")
    assert (last.to_status, last.reason, last.actor) == (Status.CANCELLED, "Doublon de BT-12", world.chef)


def test_suspend_asks_for_the_reason(f, world, login):
    wo = f.work_order(world.nesmy, team_obj=world.team, status=Status.IN_PROGRESS)
    client = login(world.ahmed)
    assert "Motif de suspension" in text(client.get(url("detail", wo)))
    client.post(url("transition", wo), {"to": Status.SUSPENDED, "version": 1, "suspension_reason": "pieces"})
    wo = fresh(wo)
    assert wo.status == Status.SUSPENDED and wo.suspension_reason == "pieces"


def test_stale_version_answers_409_and_changes_nothing(f, world, login):
    wo = f.work_order(world.nesmy, team_obj=world.team, status=Status.PLANNED)
    client = login(world.chef)
    client.post(url("transition", wo), {"to": Status.TO_PLAN, "version": 1})  # someone moved it: version 2
    response = client.post(url("transition", wo), {"to": Status.CANCELLED, "version": 1, "reason": "doublon"})
    assert response.status_code == 409
    assert "modifié par quelqu&#x27;un d&#x27;autre" in text(response)
    wo = fresh(wo)
    assert (wo.status, wo.version) == (Status.TO_PLAN, 2)


def test_validation_from_the_to_validate_page_goes_back_there(f, world, login):
    wo = f.work_order(world.nesmy, team_obj=world.team, status=Status.DONE)
    back = reverse("workorders:to-validate")
    response = login(world.chef).post(url("transition", wo), {"to": Status.VALIDATED, "version": 1, "next": back})
    assert response.status_code == 302 and response["Location"] == back
    assert fresh(wo).status == Status.VALIDATED and fresh(wo).validated_by == world.chef


def test_unsafe_next_is_ignored(f, world, login):
    wo = f.work_order(world.nesmy, team_obj=world.team, status=Status.DONE)
    response = login(world.chef).post(
        url("transition", wo), {"to": Status.VALIDATED, "version": 1, "next": "https://evil.example/"}
    )
    assert response["Location"] == url("detail", wo)


# --- Checklist, report, photos -------------------------------------------------------------------


def _item(wo, label="Couper l'eau"):
    with scopes_disabled():
        return ChecklistItem.objects.create(organisation=wo.organisation, work_order=wo, label=label)


def test_checklist_toggle_without_javascript_redirects_back(f, world, login):
    wo = f.work_order(world.nesmy, team_obj=world.team, status=Status.IN_PROGRESS)
    item = _item(wo)
    response = login(world.ahmed).post(url("checklist-toggle", wo, item.pk), {"done": "1", "version": 1})
    assert response.status_code == 302 and response["Location"].endswith("#controle")
    with scopes_disabled():
        item.refresh_from_db()
    assert item.done and item.done_by == world.ahmed


def test_checklist_toggle_with_htmx_returns_the_refreshed_content(f, world, login):
    wo = f.work_order(world.nesmy, team_obj=world.team, status=Status.IN_PROGRESS)
    item = _item(wo)
    response = login(world.ahmed).post(
        url("checklist-toggle", wo, item.pk), {"done": "1", "version": 1}, headers={"HX-Request": "true"}
    )
    html = text(response)
    assert response.status_code == 200 and 'id="bt-contenu"' in html and "<html" not in html
    assert 'aria-pressed="true"' in html and 'name="version" value="2"' in html  # every form gets the new version


def test_checklist_toggle_with_stale_version_is_409_and_unchanged(f, world, login):
    wo = f.work_order(world.nesmy, team_obj=world.team, status=Status.IN_PROGRESS)
    item = _item(wo)
    response = login(world.ahmed).post(
        url("checklist-toggle", wo, item.pk), {"done": "1", "version": 3}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 409 and "modifié par quelqu&#x27;un d&#x27;autre" in text(response)
    with scopes_disabled():
        item.refresh_from_db()
    assert not item.done and fresh(wo).version == 1


def test_checklist_item_of_another_order_is_404(f, world, login):
    wo = f.work_order(world.nesmy, team_obj=world.team, status=Status.IN_PROGRESS)
    other = f.work_order(world.nesmy, team_obj=world.team, status=Status.IN_PROGRESS)
    item = _item(other)
    assert login(world.ahmed).post(url("checklist-toggle", wo, item.pk), {"done": "1", "version": 1}).status_code == 404


def test_report_form_saves_notes_and_signature(f, world, login):
    wo = f.work_order(world.nesmy, team_obj=world.team, status=Status.IN_PROGRESS)
    client = login(world.ahmed)
    response = client.post(url("report", wo), {"notes": "Joint changé", "signed_by_name": "M. Girard", "version": 1})
    assert response.status_code == 302
    with scopes_disabled():
        report = InterventionReport.objects.get(work_order=wo)
    assert (report.notes, report.signed_by_name) == ("Joint changé", "M. Girard")
    assert "Joint changé" in text(client.get(url("detail", wo)))


def test_stale_report_is_409_keeps_the_text_and_saves_nothing(f, world, login):
    wo = f.work_order(world.nesmy, team_obj=world.team, status=Status.IN_PROGRESS)
    client = login(world.ahmed)
    client.post(url("transition", wo), {"to": Status.SUSPENDED, "version": 1, "suspension_reason": "acces"})
    response = client.post(url("report", wo), {"notes": "Mon long texte", "signed_by_name": "", "version": 1})
    assert response.status_code == 409 and "Mon long texte" in text(response)
    with scopes_disabled():
        assert not InterventionReport.objects.filter(work_order=wo).exists()


def test_photo_upload_and_refusal_of_a_fake_image(f, world, login):
    wo = f.work_order(world.nesmy, team_obj=world.team, status=Status.IN_PROGRESS)
    client = login(world.ahmed)
    response = client.post(url("photo-add", wo), {"file": png_upload(), "title": "Avant", "version": 1})
    assert response.status_code == 302
    with scopes_disabled():
        document = Document.objects.get(object_id=wo.pk)
    assert reverse("documents:download", args=[document.pk]) in text(client.get(url("detail", wo)))
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00 not a photo")
    response = client.post(url("photo-add", wo), {"file": fake, "version": 2})
    assert response.status_code == 400 and "ni une image" in text(response)
    with scopes_disabled():
        assert Document.objects.filter(object_id=wo.pk).count() == 1


# --- Create, edit, plan --------------------------------------------------------------------------


def test_planner_creates_an_order_with_a_checklist(f, world, login):
    client = login(world.chef)
    assert client.get(reverse("workorders:create")).status_code == 200
    response = client.post(
        reverse("workorders:create"),
        {
            "organisation": world.nesmy.pk,
            "title": "Porte du préau bloquée",
            "trade": world.plumbing.pk,
            "kind": WorkOrder.Kind.CORRECTIVE,
            "priority": WorkOrder.Priority.HIGH,
            "building": world.school.pk,
            "checklist": "Vérifier la serrure\n\nGraisser les gonds",
        },
    )
    with scopes_disabled():
        wo = WorkOrder.objects.get(title="Porte du préau bloquée")
        labels = list(ChecklistItem.objects.filter(work_order=wo).values_list("label", flat=True))
    assert response.status_code == 302 and response["Location"] == url("detail", wo)
    assert wo.organisation == world.nesmy and wo.building == world.school and wo.created_by == world.chef
    assert labels == ["Vérifier la serrure", "Graisser les gonds"]


def test_create_form_lists_the_chosen_building_equipment_without_saving(f, world, login):
    boiler = f.equipment(world.school, "Chaudière gaz")
    f.equipment(f.building(world.nesmy, "Gymnase"), "Panneau de basket")
    response = login(world.chef).post(
        reverse("workorders:create"), {"organisation": world.nesmy.pk, "building": world.school.pk, "_actualiser": "1"}
    )
    html = text(response)
    assert response.status_code == 200 and "Chaudière gaz" in html and "Panneau de basket" not in html
    assert str(boiler.pk) in html
    with scopes_disabled():
        assert not WorkOrder.objects.exists()


def test_technician_and_reader_cannot_create(f, world, login):
    for user in (world.ahmed, world.reader_nesmy):
        assert login(user).get(reverse("workorders:create")).status_code == 403


def test_create_refuses_another_organisation(f, world, login):
    response = login(world.manager_venansault).post(
        reverse("workorders:create"),
        {
            "organisation": world.nesmy.pk,
            "title": "x",
            "trade": world.plumbing.pk,
            "kind": "curatif",
            "priority": "2_normale",
        },
    )
    assert response.status_code == 400
    with scopes_disabled():
        assert not WorkOrder.objects.exists()


def _edit_data(wo, **changes):
    data = {
        "title": wo.title,
        "description": "",
        "trade": wo.trade_id,
        "kind": wo.kind,
        "priority": wo.priority,
        "due_date": "",
        "building": wo.building_id or "",
        "equipment": "",
        "location_text": "",
        "version": wo.version,
    }
    data.update(changes)
    return data


def test_planner_edits_an_order(f, world, login):
    wo = f.work_order(world.nesmy, building_obj=world.school)
    client = login(world.manager_nesmy)
    assert client.get(url("edit", wo)).status_code == 200
    response = client.post(url("edit", wo), _edit_data(wo, title="Fuite réparée ?", priority="4_urgente"))
    assert response.status_code == 302
    wo = fresh(wo)
    assert (wo.title, wo.priority, wo.version) == ("Fuite réparée ?", "4_urgente", 2)


def test_stale_edit_is_409_and_changes_nothing(f, world, login):
    wo = f.work_order(world.nesmy, building_obj=world.school, title="Avant")
    client = login(world.manager_nesmy)
    client.post(url("edit", wo), _edit_data(wo, title="Par l'autre"))
    response = client.post(url("edit", wo), _edit_data(wo, title="Par moi"))  # still version 1
    assert response.status_code == 409 and "modifié par quelqu&#x27;un d&#x27;autre" in text(response)
    assert fresh(wo).title == "Par l'autre"


def test_technician_cannot_edit(f, world, login):
    wo = f.work_order(world.nesmy, team_obj=world.team)
    client = login(world.ahmed)
    assert client.get(url("edit", wo)).status_code == 403
    assert client.post(url("edit", wo), _edit_data(wo, title="Non")).status_code == 403
    assert fresh(wo).title == "Réparer la fuite"


def test_plan_form_offers_serving_teams_and_plans_technicians(f, world, login):
    wo = f.work_order(world.nesmy)
    own_team = f.team(world.nesmy, "Régie de Nesmy")
    f.team(world.venansault, "Régie de Venansault")
    client = login(world.manager_nesmy)
    html = text(client.get(url("plan", wo)))
    assert "Régie bâtiment" in html and "Régie de Nesmy" in html and "Régie de Venansault" not in html
    assert "Ahmed Benali" in html
    response = client.post(
        url("plan", wo),
        {
            "version": 1,
            "team": world.team.pk,
            "technicians": [world.ahmed.pk],
            "planned_start": "2026-03-03T08:00",
            "planned_end": "2026-03-03T12:00",
            "due_date": "2026-03-06",
        },
    )
    assert response.status_code == 302
    wo = fresh(wo)
    assert wo.status == Status.PLANNED and wo.team == world.team and list(wo.technicians.all()) == [world.ahmed]
    assert timezone.localtime(wo.planned_start).hour == 8 and str(wo.due_date) == "2026-03-06"
    assert own_team.pk != world.team.pk


def test_plan_refuses_a_technician_outside_the_team(f, world, login):
    wo = f.work_order(world.nesmy)
    own_team = f.team(world.nesmy, "Régie de Nesmy")
    response = login(world.manager_nesmy).post(
        url("plan", wo), {"version": 1, "team": own_team.pk, "technicians": [world.ahmed.pk]}
    )
    assert response.status_code == 400 and "ne fait pas partie de l&#x27;équipe" in text(response)
    assert fresh(wo).status == Status.TO_PLAN


def test_plan_needs_a_team_or_a_contractor(f, world, login):
    wo = f.work_order(world.nesmy)
    response = login(world.manager_nesmy).post(url("plan", wo), {"version": 1})
    assert response.status_code == 400 and "Choisissez une équipe ou un prestataire" in text(response)


def test_create_form_offers_the_buildings_of_the_chosen_organisation_only(f, world, login):
    hall = f.building(world.epci, "Siège de l'agglomération")
    client = login(world.chef)
    html = text(client.get(reverse("workorders:create")))  # acting for the EPCI by default
    assert "Siège de l&#x27;agglomération" in html and "École Jules Ferry" not in html
    refreshed = text(client.post(reverse("workorders:create"), {"organisation": world.nesmy.pk, "_actualiser": "1"}))
    assert "École Jules Ferry" in refreshed and str(hall.pk) not in refreshed


def test_plan_form_proposes_the_planner_own_team_for_an_untaken_order(f, world, login):
    wo = f.work_order(world.nesmy)
    response = login(world.chef).get(url("plan", wo))
    assert response.context["form"]["team"].value() == world.team.pk


def test_stale_plan_form_is_409_and_plans_nothing(f, world, login):
    wo = f.work_order(world.nesmy)
    client = login(world.chef)
    client.post(url("edit", wo), _edit_data(wo, title="Changé entre-temps"))  # now version 2
    response = client.post(url("plan", wo), {"version": 1, "team": world.team.pk, "technicians": [world.ahmed.pk]})
    assert response.status_code == 409 and "modifié par quelqu&#x27;un d&#x27;autre" in text(response)
    wo = fresh(wo)
    assert wo.status == Status.TO_PLAN and wo.team is None and not wo.technicians.exists()


def test_stale_photo_upload_is_409_and_stores_nothing(f, world, login):
    wo = f.work_order(world.nesmy, team_obj=world.team, status=Status.IN_PROGRESS)
    response = login(world.ahmed).post(url("photo-add", wo), {"file": png_upload(), "version": 9})
    assert response.status_code == 409
    with scopes_disabled():
        assert not Document.objects.filter(object_id=wo.pk).exists()


def test_detail_query_count_does_not_grow_with_history_photos_and_checklist(f, world, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from conftest import access_of
    from patrimoine.workorders import services

    wo = f.work_order(world.nesmy, team_obj=world.team, status=Status.IN_PROGRESS)
    client = login(world.ahmed)

    def add(n):
        with scopes_disabled():
            for i in range(n):
                _item(wo, f"Point {i}")
                services.work_order_photo_attach(
                    access=access_of(world.ahmed), work_order=fresh(wo), uploaded=png_upload()
                )

    add(1)
    client.get(url("detail", wo))
    with CaptureQueriesContext(connection) as few:
        client.get(url("detail", wo))
    add(5)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url("detail", wo)).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)


def test_order_page_shows_what_was_already_done_on_the_same_equipment(f, login):
    """Journey 3: Ahmed sees that this boiler had the same valve replaced last year."""
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from patrimoine.organisations.models import Membership
    from patrimoine.workorders.models import InterventionReport, WorkOrder

    nesmy = f.organisation("Nesmy")
    chef = f.user("chef", role=Membership.Role.TEAM_LEAD, organisation=nesmy)
    school = f.building(nesmy, "École")
    boiler = f.equipment(school, "Chaudière gaz")
    last_year = f.work_order(
        nesmy,
        title="Vanne de départ remplacée",
        building_obj=school,
        equipment=boiler,
        status=WorkOrder.Status.VALIDATED,
        completed_at=timezone.now(),
    )
    with scopes_disabled():
        InterventionReport.objects.create(
            organisation=nesmy, work_order=last_year, notes="Vanne 3/4 remplacée, joint fibre neuf."
        )
    other = f.work_order(nesmy, title="Sans rapport", building_obj=school)
    today = f.work_order(nesmy, title="Fuite à la vanne", building_obj=school, equipment=boiler)
    body = login(chef).get(f"/bons/{today.pk}/").content.decode()
    assert "Déjà fait sur cet équipement" in body
    assert last_year.reference in body and "Vanne 3/4 remplacée" in body
    assert other.reference not in body
