from django.contrib.contenttypes.models import ContentType
from django.http import Http404

from patrimoine.documents.models import Document
from patrimoine.organisations.access import Access


def documents_of(target):
    """The documents attached to `target`, newest first (scoped like every tenant query)."""
    return Document.objects.filter(
        content_type=ContentType.objects.get_for_model(target), object_id=target.pk
    ).order_by("-created_at")


def _target_getters() -> dict:
    """For each kind of object documents hang on, the selector that says whether a user may see it.

    A document is visible exactly when its object is: a requester's photo is not readable by another
    requester of the same commune, a contractor sees the photos of his orders only.
    """
    from patrimoine.assets import selectors as assets
    from patrimoine.intake.selectors import get_work_request_for
    from patrimoine.workorders.selectors import get_work_order_for

    return {
        "assets.building": assets.get_building_for,
        "assets.equipment": assets.get_equipment_for,
        "assets.site": assets.get_site_for,
        "intake.workrequest": get_work_request_for,
        "workorders.workorder": get_work_order_for,
    }


def get_document_for(access: Access, pk) -> Document:
    """The document, if the user may see the object it is attached to; 404 otherwise."""
    try:
        document = Document.objects.select_related("content_type").get(pk=pk)
    except (Document.DoesNotExist, ValueError) as exc:
        raise Http404 from exc
    getter = _target_getters().get(f"{document.content_type.app_label}.{document.content_type.model}")
    if getter is None:
        raise Http404
    getter(access, document.object_id)  # raises Http404 when the object is not visible
    return document
