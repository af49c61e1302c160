"""Reads of work requests, always through the user's access."""

from django.db.models import QuerySet
from django.http import Http404

from patrimoine.intake.models import WorkRequest
from patrimoine.organisations.access import Access


def work_requests_visible_to(access: Access) -> QuerySet[WorkRequest]:
    """Roles with `intake.view_all` see every request of the organisations in scope (a shared team's
    lead sees the communes it serves); anyone else who may file requests sees only their own."""
    requests = WorkRequest.objects.all()
    if access.has("intake.view_all"):
        return requests
    if access.has("intake.create"):
        return requests.filter(requested_by_id=access.user.pk)
    return requests.none()


def get_work_request_for(access: Access, pk) -> WorkRequest:
    try:
        return (
            work_requests_visible_to(access)
            .select_related(
                "building",
                "site",
                "equipment",
                "space",
                "trade",
                "suggested_trade",
                "work_order",
                "requested_by",
                "duplicate_of",
                "organisation",
            )
            .get(pk=pk)
        )
    except (WorkRequest.DoesNotExist, ValueError) as exc:
        raise Http404 from exc
