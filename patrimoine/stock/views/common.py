"""Helpers shared by the stock views."""

from django.core.exceptions import PermissionDenied

PAGE_SIZE = 30


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def require(access, action: str) -> None:
    if not access.has(action):
        raise PermissionDenied
