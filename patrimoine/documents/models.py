"""Photos and documents attached to any tenant object (building, equipment, request, work order)."""

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patrimoine.core.models import TenantModel


def document_path(instance: "Document", filename: str) -> str:
    extension = Document.EXTENSIONS.get(instance.mime_type, "bin")
    when = instance.created_at or timezone.now()
    return f"org-{instance.organisation_id}/{when:%Y/%m}/{uuid.uuid4().hex}.{extension}"


class Document(TenantModel):
    class Kind(models.TextChoices):
        PHOTO = "photo", _("Photo")
        DOCUMENT = "document", _("Document")

    EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "application/pdf": "pdf"}

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.UUIDField(db_index=True)
    target = GenericForeignKey("content_type", "object_id")
    kind = models.CharField(_("nature"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("titre"), max_length=200, blank=True)
    file = models.FileField(_("fichier"), upload_to=document_path, max_length=200)
    original_name = models.CharField(_("nom d'origine"), max_length=200)
    mime_type = models.CharField(_("type"), max_length=60)
    size = models.PositiveIntegerField(_("taille (octets)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title or self.original_name

    @property
    def is_image(self) -> bool:
        return self.mime_type.startswith("image/")
