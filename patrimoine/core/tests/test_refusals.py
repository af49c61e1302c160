from html import escape

import pytest
from django.test import RequestFactory

from patrimoine.core.errors import ConcurrentEditError, DomainError, PermissionRefused
from patrimoine.core.middleware import DomainErrorMiddleware

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (PermissionRefused("Votre rôle ne permet pas cela."), 403),
        (ConcurrentEditError("Modifié par quelqu'un d'autre."), 409),
        (DomainError("Date invalide."), 400),
    ],
)
def test_uncaught_refusal_becomes_a_french_page_with_the_right_status(error, status):
    request = RequestFactory().get("/")
    response = DomainErrorMiddleware(lambda r: None).process_exception(request, error)
    assert response.status_code == status
    assert escape(error.message) in response.content.decode()


def test_other_exceptions_are_left_alone():
    request = RequestFactory().get("/")
    assert DomainErrorMiddleware(lambda r: None).process_exception(request, ValueError("x")) is None
