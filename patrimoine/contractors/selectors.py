"""Reads of contractors (prestataires), through the user's access.

Planners, buyers and readers see the companies of the organisations in scope; a contractor's own
staff see only their company; other roles see none.
"""

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404

from patrimoine.contractors.models import Contractor
from patrimoine.organisations.access import Access


def contractors_visible_to(access: Access) -> QuerySet[Contractor]:
    contractors = Contractor.objects.filter(organisation_id__in=access.read_org_ids)
    if access.contractor_id is not None:
        return contractors.filter(pk=access.contractor_id)
    if access.has("workorders.plan") or access.has("purchasing.view") or access.has("costs.view"):
        return contractors
    return contractors.none()


def get_contractor_for(access: Access, pk) -> Contractor:
    try:
        return contractors_visible_to(access).get(pk=pk)
    except (Contractor.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404 from exc
