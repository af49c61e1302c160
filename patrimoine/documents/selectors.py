from django.contrib.contenttypes.models import ContentType

from patrimoine.documents.models import Document


def documents_of(target):
    """The documents attached to `target`, newest first (scoped like every tenant query)."""
    return Document.objects.filter(
        content_type=ContentType.objects.get_for_model(target), object_id=target.pk
    ).order_by("-created_at")
