"""Helpers shared by the work-order views: htmx detection, refusal statuses, form errors."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from patrimoine.core.errors import ConcurrentEditError, DomainError, PermissionRefused

PAGE_SIZE = 25


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def status_of(error: DomainError) -> int:
    """HTTP status of a refusal: 409 stale version, 403 role, 400 any other rule."""
    if isinstance(error, ConcurrentEditError):
        return 409
    if isinstance(error, PermissionRefused):
        return 403
    return 400


def require_view(access) -> None:
    if not access.has("workorders.view"):
        raise PermissionDenied


def form_error(form) -> DomainError:
    """A form's errors as one refusal, shown like the services' messages."""
    errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
    return DomainError(" ".join(errors) or _("Formulaire incomplet."))
