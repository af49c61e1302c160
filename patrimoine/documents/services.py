"""Attaching files: the type is read from the content, the size is limited, images are checked."""

import filetype
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from patrimoine.core.errors import DomainError
from patrimoine.core.services import audit_record
from patrimoine.documents.models import Document

ALLOWED_TYPES = set(Document.EXTENSIONS)


def upload_check(uploaded: UploadedFile) -> str:
    """Return the real MIME type of `uploaded`, or raise DomainError with a French message."""
    limit = settings.UPLOAD_MAX_BYTES
    if uploaded.size == 0:
        raise DomainError(_("Le fichier « %(name)s » est vide.") % {"name": uploaded.name})
    if uploaded.size > limit:
        raise DomainError(
            _("Le fichier « %(name)s » dépasse la taille maximale de %(limit)s.")
            % {"name": uploaded.name, "limit": filesizeformat(limit)}
        )
    head = uploaded.read(2048)
    uploaded.seek(0)
    kind = filetype.guess(head)
    mime = kind.mime if kind else None
    if mime not in ALLOWED_TYPES:
        raise DomainError(
            _("Le fichier « %(name)s » n'est ni une image (JPEG, PNG, WebP) ni un PDF.") % {"name": uploaded.name}
        )
    if mime.startswith("image/"):
        try:
            with Image.open(uploaded) as image:
                image.verify()
        except (UnidentifiedImageError, OSError, SyntaxError) as exc:
            raise DomainError(_("L'image « %(name)s » est illisible ou abîmée.") % {"name": uploaded.name}) from exc
        finally:
            uploaded.seek(0)
    return mime


def document_attach(*, actor, target, uploaded: UploadedFile, title: str = "") -> Document:
    """Attach `uploaded` to `target` (any tenant object) after checking it; nothing is stored on refusal."""
    mime = upload_check(uploaded)
    with transaction.atomic():
        document = Document(
            organisation_id=target.organisation_id,
            content_type=ContentType.objects.get_for_model(target),
            object_id=target.pk,
            kind=Document.Kind.PHOTO if mime.startswith("image/") else Document.Kind.DOCUMENT,
            title=title[:200],
            original_name=uploaded.name[:200],
            mime_type=mime,
            size=uploaded.size,
            uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        document.created_at = timezone.now()
        document.file.save(uploaded.name, uploaded, save=False)
        document.save()
        audit_record(actor=actor, action="document.attach", target=document, message=document.original_name)
    return document
