"""Tokens for tests, made through the real service (hashed, expiring)."""

import datetime as dt

from django.utils import timezone
from django_scopes import scope

from patrimoine.api.models import ApiToken
from patrimoine.api.services import api_token_create
from patrimoine.organisations.access import access_for_user


def token_for(user, organisation=None, *, scope_name=ApiToken.Scope.READ_WRITE, days=30) -> str:
    access = access_for_user(user, organisation.pk if organisation else None)
    with scope(organisation=sorted(access.read_org_ids)):
        _token, secret = api_token_create(
            access=access, name="Test", scope=scope_name, expires_on=timezone.localdate() + dt.timedelta(days=days)
        )
    return secret


def bearer(secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
