"""Services behind the work-order pages: editing, checklist, report, photos."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scopes_disabled
from PIL import Image

from conftest import access_of
from patrimoine.core.errors import ConcurrentEditError, DomainError, PermissionRefused
from patrimoine.core.models import AuditEntry
from patrimoine.documents.models import Document
from patrimoine.workorders import services
from patrimoine.workorders.models import ChecklistItem, InterventionReport, WorkOrder

pytestmark = [pytest.mark.django_db]
Status = WorkOrder.Status


def png_upload(name="fuite.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (20, 80, 160)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def fresh(wo):
    with scopes_disabled():
        return WorkOrder.objects.get(pk=wo.pk)


def test_planner_updates_title_priority_and_place(f, world):
    wo = f.work_order(world.nesmy, team_obj=world.team)
    boiler = f.equipment(world.school, "Chaudière")
    with scopes_disabled():
        services.work_order_update(
            access=access_of(world.chef),
            work_order=wo,
            expected_version=1,
            title="  Fuite sous l'évier  ",
            priority=WorkOrder.Priority.URGENT,
            equipment=boiler,
            building=world.school,
        )
        assert AuditEntry.objects.filter(action="work_order.update", target_id=str(wo.pk)).exists()
    wo = fresh(wo)
    assert (wo.title, wo.priority, wo.version) == ("Fuite sous l'évier", WorkOrder.Priority.URGENT, 2)
    assert wo.building == world.school and wo.site == world.school.site and wo.equipment == boiler


def test_update_with_a_stale_version_changes_nothing(f, world):
    wo = f.work_order(world.nesmy, team_obj=world.team, title="Avant")
    with scopes_disabled(), pytest.raises(ConcurrentEditError):
        services.work_order_update(access=access_of(world.chef), work_order=wo, expected_version=7, title="Après")
    assert fresh(wo).title == "Avant"


def test_update_is_refused_on_a_closed_order(f, world):
    wo = f.work_order(world.nesmy, team_obj=world.team, status=Status.VALIDATED, title="Avant")
    with scopes_disabled(), pytest.raises(DomainError, match="ne peut plus être modifié"):
        services.work_order_update(access=access_of(world.chef), work_order=wo, expected_version=1, title="Après")
    assert fresh(wo).title == "Avant" and fresh(wo).version == 1


def test_technician_may_not_edit_an_order(f, world):
    wo = f.work_order(world.nesmy, team_obj=world.team, title="Avant")
    with scopes_disabled(), pytest.raises(PermissionRefused):
        services.work_order_update(access=access_of(world.ahmed), work_order=wo, expected_version=1, title="Après")
    assert fresh(wo).title == "Avant"


def test_update_refuses_equipment_of_another_building(f, world):
    wo = f.work_order(world.nesmy, building_obj=world.school)
    gym = f.building(world.nesmy, "Gymnase")
    with scopes_disabled(), pytest.raises(DomainError, match="pas dans ce bâtiment"):
        services.work_order_update(
            access=access_of(world.chef), work_order=wo, expected_version=1, equipment=f.equipment(gym)
        )
    assert fresh(wo).equipment_id is None


def test_technician_ticks_a_checklist_point_and_the_version_moves(f, world):
    wo = f.work_order(world.nesmy, team_obj=world.team, status=Status.IN_PROGRESS)
    with scopes_disabled():
        item = ChecklistItem.objects.create(organisation=world.nesmy, work_order=wo, label="Couper l'eau")
        services.checklist_item_toggle(access=access_of(world.ahmed), item=item, done=True, expected_version=1)
        item.refresh_from_db()
    assert item.done and item.done_by == world.ahmed and item.done_at is not None
    assert fresh(wo).version == 2


def test_checklist_toggle_with_a_stale_version_changes_nothing(f, world):
    wo = f.work_order(world.nesmy, team_obj=world.team, status=Status.IN_PROGRESS)
    with scopes_disabled():
        item = ChecklistItem.objects.create(organisation=world.nesmy, work_order=wo, label="Couper l'eau")
        with pytest.raises(ConcurrentEditError):
            services.checklist_item_toggle(access=access_of(world.ahmed), item=item, done=True, expected_version=5)
        item.refresh_from_db()
    assert not item.done and fresh(wo).version == 1


def test_reader_cannot_tick_the_checklist(f, world):
    wo = f.work_order(world.nesmy, team_obj=world.team, status=Status.IN_PROGRESS)
    with scopes_disabled():
        item = ChecklistItem.objects.create(organisation=world.nesmy, work_order=wo, label="Couper l'eau")
        with pytest.raises(PermissionRefused):
            services.checklist_item_toggle(access=access_of(world.reader_nesmy), item=item, done=True)
        item.refresh_from_db()
    assert not item.done


def test_report_is_created_then_updated(f, world):
    wo = f.work_order(world.nesmy, team_obj=world.team, status=Status.IN_PROGRESS)
    tech = access_of(world.ahmed)
    with scopes_disabled():
        services.intervention_report_save(
            access=tech, work_order=wo, notes="Joint changé", signed_by_name="M. Girard", expected_version=1
        )
        services.intervention_report_save(
            access=tech, work_order=wo, notes="Joint et flexible changés", signed_by_name="M. Girard"
        )
        report = InterventionReport.objects.get(work_order=wo)
    assert report.notes == "Joint et flexible changés" and report.submitted_by == world.ahmed
    assert fresh(wo).version == 3


def test_report_on_a_cancelled_order_is_refused(f, world):
    wo = f.work_order(world.nesmy, team_obj=world.team, status=Status.CANCELLED)
    with scopes_disabled(), pytest.raises(DomainError, match="compte rendu"):
        services.intervention_report_save(access=access_of(world.ahmed), work_order=wo, notes="x", signed_by_name="")
    with scopes_disabled():
        assert not InterventionReport.objects.filter(work_order=wo).exists()


def test_photo_is_attached_and_a_fake_image_refused(f, world):
    wo = f.work_order(world.nesmy, team_obj=world.team, status=Status.IN_PROGRESS)
    tech = access_of(world.ahmed)
    with scopes_disabled():
        services.work_order_photo_attach(access=tech, work_order=wo, uploaded=png_upload(), expected_version=1)
        with pytest.raises(DomainError, match="ni une image"):
            services.work_order_photo_attach(
                access=tech, work_order=wo, uploaded=SimpleUploadedFile("x.png", b"not an image at all")
            )
        assert Document.objects.filter(object_id=wo.pk).count() == 1
    assert fresh(wo).version == 2
