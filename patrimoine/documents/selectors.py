from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.http import Http404

from patrimoine.documents.models import Document
from patrimoine.organisations.access import Access
from patrimoine.organisations.permissions import DOCUMENT_READERS, Owns


def documents_of(target):
    """The documents attached to `target`, newest first (scoped like every tenant query)."""
    return Document.objects.filter(
        content_type=ContentType.objects.get_for_model(target), object_id=target.pk
    ).order_by("-created_at")


def _target_getters() -> dict:
    """For each kind of object documents hang on, the selector that says whether a user may see it."""
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


def _answered_by_visible_order(access: Access, request_pk) -> bool:
    """Owns.ANSWERED: the request is answered by a work order the user may read."""
    from patrimoine.intake.models import WorkRequest
    from patrimoine.workorders.selectors import work_orders_visible_to

    order_id = WorkRequest.objects.filter(pk=request_pk).values_list("work_order_id", flat=True).first()
    return order_id is not None and work_orders_visible_to(access).filter(pk=order_id).exists()


def document_visible(access: Access, document: Document) -> bool:
    """DOCUMENT_READERS (organisations/permissions.py): a document is served to whoever may read the
    object it hangs on — or, for a request's photos, the order answering it."""
    kind = f"{document.content_type.app_label}.{document.content_type.model}"
    getters = _target_getters()
    for reader in sorted(DOCUMENT_READERS.get(kind, ())):
        if reader == Owns.ANSWERED:
            if _answered_by_visible_order(access, document.object_id):
                return True
            continue
        try:
            getters[reader](access, document.object_id)
        except Http404:
            continue
        return True
    return False


def get_document_for(access: Access, pk) -> Document:
    """The document, if the user may see it (`document_visible`); 404 otherwise, like a missing one."""
    try:
        document = Document.objects.select_related("content_type").get(pk=pk)
    except (Document.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404 from exc
    if not document_visible(access, document):
        raise Http404
    return document
