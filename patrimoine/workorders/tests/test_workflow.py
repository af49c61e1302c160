import pytest
from django_scopes import scopes_disabled

from conftest import access_of
from patrimoine.core.errors import ConcurrentEditError, DomainError, PermissionRefused
from patrimoine.organisations.models import Membership
from patrimoine.workorders import services
from patrimoine.workorders.models import WorkOrder, WorkOrderTransition

pytestmark = [pytest.mark.django_db]
Role = Membership.Role
Status = WorkOrder.Status


@pytest.fixture
def shared(f):
    epci, (nesmy, venansault) = f.epci_with_communes("Nesmy", "Venansault")
    chef = f.user("chef.epci", role=Role.TEAM_LEAD, organisation=epci)
    ahmed = f.user("technicien.epci", role=Role.TECHNICIAN, organisation=epci)
    team = f.team(epci, "Régie bâtiment", lead=chef, members=[ahmed], serves=[nesmy])
    school = f.building(nesmy, "École Jules Ferry")
    return {
        "epci": epci,
        "nesmy": nesmy,
        "venansault": venansault,
        "chef": chef,
        "ahmed": ahmed,
        "team": team,
        "school": school,
    }


def _refresh(wo):
    with scopes_disabled():
        return WorkOrder.objects.get(pk=wo.pk)


def test_shared_team_lead_creates_plans_and_the_technician_completes(f, shared):
    chef_access = access_of(shared["chef"])
    with scopes_disabled():
        wo = services.work_order_create(
            access=chef_access,
            organisation=shared["nesmy"],
            title="Fuite cantine",
            trade=f.trade(),
            building=shared["school"],
            checklist=["Couper l'eau", "Changer le joint"],
        )
        assert wo.reference.startswith("BT-") and wo.site == shared["school"].site
        services.work_order_plan(
            access=chef_access,
            work_order=wo,
            expected_version=wo.version,
            team=shared["team"],
            technicians=[shared["ahmed"]],
        )
        assert wo.status == Status.PLANNED
        tech = access_of(shared["ahmed"])
        services.work_order_transition(
            access=tech, work_order=wo, to_status=Status.IN_PROGRESS, expected_version=wo.version
        )
        services.work_order_transition(access=tech, work_order=wo, to_status=Status.DONE, expected_version=wo.version)
        services.work_order_transition(
            access=chef_access, work_order=wo, to_status=Status.VALIDATED, expected_version=wo.version
        )
        wo = _refresh(wo)
        assert wo.status == Status.VALIDATED and wo.validated_by == shared["chef"]
        assert [t.to_status for t in WorkOrderTransition.objects.filter(work_order=wo)] == [
            Status.TO_PLAN,
            Status.PLANNED,
            Status.IN_PROGRESS,
            Status.DONE,
            Status.VALIDATED,
        ]


def test_invalid_transition_is_refused_and_changes_nothing(f, shared):
    wo = f.work_order(shared["nesmy"], team_obj=shared["team"])
    with scopes_disabled(), pytest.raises(DomainError, match="Impossible de passer"):
        services.work_order_transition(
            access=access_of(shared["chef"]), work_order=wo, to_status=Status.VALIDATED, expected_version=wo.version
        )
    assert _refresh(wo).status == Status.TO_PLAN and _refresh(wo).version == 1


def test_technician_cannot_validate_his_own_work(f, shared):
    wo = f.work_order(shared["nesmy"], team_obj=shared["team"], status=Status.DONE)
    with scopes_disabled(), pytest.raises(PermissionRefused):
        services.work_order_transition(
            access=access_of(shared["ahmed"]), work_order=wo, to_status=Status.VALIDATED, expected_version=wo.version
        )
    assert _refresh(wo).status == Status.DONE


def test_team_not_serving_the_commune_cannot_be_assigned(f, shared):
    wo = f.work_order(shared["venansault"])
    with scopes_disabled(), pytest.raises(PermissionRefused):
        services.work_order_plan(
            access=access_of(shared["chef"]), work_order=wo, expected_version=1, team=shared["team"]
        )


def test_second_concurrent_save_is_refused_not_silently_applied(f, shared):
    wo = f.work_order(shared["nesmy"], team_obj=shared["team"])
    chef = access_of(shared["chef"])
    with scopes_disabled():
        stale_copy = WorkOrder.objects.get(pk=wo.pk)
        services.work_order_plan(access=chef, work_order=wo, expected_version=wo.version, team=shared["team"])
        with pytest.raises(ConcurrentEditError, match="modifié par quelqu'un d'autre"):
            services.work_order_transition(
                access=chef,
                work_order=stale_copy,
                to_status=Status.CANCELLED,
                expected_version=stale_copy.version,
                reason="doublon",
            )
    assert _refresh(wo).status == Status.PLANNED


def test_cancelling_needs_a_reason(f, shared):
    wo = f.work_order(shared["nesmy"], team_obj=shared["team"])
    with scopes_disabled(), pytest.raises(DomainError, match="motif"):
        services.work_order_transition(
            access=access_of(shared["chef"]), work_order=wo, to_status=Status.CANCELLED, expected_version=1
        )
    assert _refresh(wo).status == Status.TO_PLAN


def test_suspension_needs_a_known_reason(f, shared):
    wo = f.work_order(shared["nesmy"], team_obj=shared["team"], status=Status.IN_PROGRESS)
    tech = access_of(shared["ahmed"])
    with scopes_disabled():
        with pytest.raises(DomainError, match="suspendu"):
            services.work_order_transition(access=tech, work_order=wo, to_status=Status.SUSPENDED, expected_version=1)
        services.work_order_transition(
            access=tech, work_order=wo, to_status=Status.SUSPENDED, expected_version=1, suspension_reason="pieces"
        )
    assert _refresh(wo).suspension_reason == "pieces"
