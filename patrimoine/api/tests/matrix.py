"""The API's part of the tenant isolation matrix (patrimoine/core/tests/test_isolation_matrix.py):
a token of a Venansault user, for the token pages; the REST API itself is walked with tokens by
patrimoine/api/tests/test_api_matrix.py (the matrix's session-signed client has no token)."""

import datetime as dt

from django.utils import timezone
from django_scopes import scopes_disabled

from patrimoine.api.models import ApiToken


@scopes_disabled()
def venansault_token(o: dict, secret: str) -> ApiToken:
    return ApiToken.objects.create(
        user=o["v_chef"],
        organisation=o["venansault"],
        name=f"Jeton {secret}",
        prefix="pat_venansau",
        key_hash="0" * 64,
        expires_at=timezone.now() + dt.timedelta(days=30),
    )
