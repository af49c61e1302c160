"""The demo's Open311 part: each commune publishes its services and has a known key; idempotent."""

import pytest
from django.core.cache import cache
from django_scopes import scopes_disabled

from patrimoine.demo.data import organisations as people
from patrimoine.demo.open311 import build_open311, demo_key
from patrimoine.demo.reference import Reference
from patrimoine.open311.models import ApiKey, Service
from patrimoine.open311.tests.conftest import post
from patrimoine.organisations.models import Membership

pytestmark = pytest.mark.django_db


def test_demo_open311_is_idempotent_and_its_keys_work(client, f):
    cache.clear()
    ref = Reference()
    for slug in people.COMMUNES:
        ref.orgs[slug] = f.organisation(slug.capitalize())
        ref.users[f"admin.{slug}"] = f.user(f"admin.{slug}", role=Membership.Role.ADMIN, organisation=ref.orgs[slug])
    with scopes_disabled():
        build_open311(ref)
        counts = (Service.objects.count(), ApiKey.objects.count())
        build_open311(ref)
        assert (Service.objects.count(), ApiKey.objects.count()) == counts == (14 * 3, 3)
    data = {
        "api_key": demo_key("nesmy"),
        "jurisdiction_id": "nesmy",
        "service_code": "voirie",
        "lat": "46.59",
        "long": "-1.40",
    }
    assert post(client, "json", data).status_code == 200
    data["api_key"] = demo_key("venansault")
    assert post(client, "json", data).status_code == 403


def test_no_known_key_in_production(f, settings):
    settings.PRODUCTION = True
    ref = Reference()
    for slug in people.COMMUNES:
        ref.orgs[slug] = f.organisation(slug.capitalize())
        ref.users[f"admin.{slug}"] = f.user(f"admin.{slug}", role=Membership.Role.ADMIN, organisation=ref.orgs[slug])
    with scopes_disabled():
        build_open311(ref)
        assert not ApiKey.objects.exists() and Service.objects.count() == 14 * 3
