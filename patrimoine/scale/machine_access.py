"""What the benchmarks need to read the machine interfaces of a generated dataset as a business
application would: a read-only personal API token of a manager (replacing the previous one of the
same name) and his commune's Open311 services published."""

import datetime as dt

from django.utils import timezone
from django_scopes import scope

from patrimoine.api.models import ApiToken
from patrimoine.api.services import api_token_create
from patrimoine.open311.models import Service
from patrimoine.open311.services import services_publish_defaults
from patrimoine.organisations.access import access_for_user


def machine_access(manager, token_name: str) -> dict:
    """{"api_token": secret, "open311_jurisdiction": slug} for `manager`'s organisation."""
    access = access_for_user(manager)
    with scope(organisation=sorted(access.read_org_ids)):
        if not Service.objects.filter(organisation=access.organisation).exists():
            services_publish_defaults(access=access)
        ApiToken.objects.filter(user=manager, name=token_name).delete()
        _token, secret = api_token_create(
            access=access,
            name=token_name,
            scope=ApiToken.Scope.READ,
            expires_on=timezone.localdate() + dt.timedelta(days=2),
        )
    return {"api_token": secret, "open311_jurisdiction": access.organisation.slug}
