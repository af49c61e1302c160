"""Reads of work orders, always through the user's access (tenancy + role rules)."""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from patrimoine.organisations.access import Access
from patrimoine.organisations.models import Membership
from patrimoine.workorders.models import WorkOrder

Role = Membership.Role


def work_orders_visible_to(access: Access) -> QuerySet[WorkOrder]:
    """The work orders `access` may read. The default manager already limits to the scope's
    organisations; the role narrows further:
    - technician: orders of his teams, or on which he is named;
    - contractor: orders given to his company only;
    - team lead: his organisation's orders and those given to his teams (shared team);
    - manager, admin, reader: every order of the organisations in scope.
    """
    orders = WorkOrder.objects.all()
    if not access.has("workorders.view"):
        return orders.none()
    if access.role == Role.TECHNICIAN:
        named = WorkOrder.technicians.through.objects.filter(workorder_id=OuterRef("pk"), user_id=access.user.pk)
        return orders.filter(Q(team_id__in=access.team_ids) | Exists(named))
    if access.role == Role.CONTRACTOR:
        return orders.filter(contractor_id=access.contractor_id) if access.contractor_id else orders.none()
    if access.role == Role.TEAM_LEAD:
        return orders.filter(Q(organisation_id=access.organisation.pk) | Q(team_id__in=access.team_ids))
    return orders


def get_work_order_for(access: Access, pk) -> WorkOrder:
    """One work order the user may read, or 404 (another organisation's answers exactly like a missing one)."""
    try:
        return (
            work_orders_visible_to(access)
            .select_related("trade", "site", "building", "space", "equipment", "team", "contractor", "organisation")
            .get(pk=pk)
        )
    except (WorkOrder.DoesNotExist, ValueError) as exc:
        raise Http404 from exc
