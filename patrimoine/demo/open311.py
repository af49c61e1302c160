"""Demo Open311: each member commune publishes the default request types and has the key of a
citizen-reporting app, whose value is known so that the README's curl examples work as written.

Idempotent: existing services and keys are kept. The known keys are not created in production
(`PATRIMOINE_ENV=production`): a key anyone can read in the source must never open a real server.
"""

import hashlib

from django.conf import settings

from patrimoine.demo.data import organisations as people
from patrimoine.demo.reference import Reference
from patrimoine.open311.models import ApiKey
from patrimoine.open311.services import services_publish_defaults
from patrimoine.organisations.access import access_for_user

DEMO_KEY_NAME = "Démo — application citoyenne"


def demo_key(slug: str) -> str:
    return f"demo-open311-{slug}"


def build_open311(ref: Reference) -> None:
    for slug in people.COMMUNES:
        organisation = ref.orgs[slug]
        services_publish_defaults(access=access_for_user(ref.users[f"admin.{slug}"], organisation.pk))
        if settings.PRODUCTION or ApiKey.objects.filter(organisation=organisation, name=DEMO_KEY_NAME).exists():
            continue
        raw = demo_key(slug)
        ApiKey.objects.create(
            organisation=organisation,
            name=DEMO_KEY_NAME,
            prefix=raw[:8],
            key_hash=hashlib.sha256(raw.encode("utf-8")).hexdigest(),
        )
