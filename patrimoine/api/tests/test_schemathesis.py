"""Schemathesis against /api/v1/openapi.json, in-process through the WSGI application: every
operation with generated (valid and invalid) input and a valid read-write token, on a small commune
with demo-like data. Zero server errors and zero answers outside the published schema."""

import os

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from patrimoine.api.tests.helpers import token_for
from patrimoine.organisations.models import Membership
from patrimoine.workorders.models import WorkOrder

FULL = os.environ.get("SCHEMATHESIS_FULL") == "1"
MAX_EXAMPLES = 25 if FULL else 4


# Loaded when the module is collected (the description needs no database); the lazy
# `schemathesis.pytest.from_fixture` loader does not work with pytest 9 (it sets `node._nodeid`).
# A schema-valid request may still be refused by a business rule (an unknown site, a stale cursor,
# a move the workflow forbids): 400 with a French message. A 422 would mean our schema lies.
CONFIG = SchemathesisConfig.from_dict(
    {
        # The coverage phase (boundary and negative values of every parameter) takes ~5 s per
        # operation: run it with SCHEMATHESIS_FULL=1 (it passes too); CI runs the quick fuzzing phase.
        "phases": {"coverage": {"enabled": FULL}},
        "checks": {
            "positive_data_acceptance": {"expected-statuses": ["2xx", "400", "401", "403", "404", "409", "412", "428"]}
        },
    }
)
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application(), config=CONFIG)


@pytest.fixture
def keep_connection(db):
    """As Django's test client does: keep the test's connection (and its transaction) across requests."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def world(f, keep_connection):
    epci, (nesmy, _other) = f.epci_with_communes("Nesmy", "Venansault")
    admin = f.user(role=Membership.Role.ADMIN, organisation=nesmy)
    lead = f.user(role=Membership.Role.TEAM_LEAD, organisation=nesmy)
    tech = f.user(role=Membership.Role.TECHNICIAN, organisation=nesmy)
    team = f.team(nesmy, lead=lead, members=[tech])
    f.labour_rate(nesmy)
    building = f.building(nesmy, "École Jules Ferry")
    f.space(f.level(building))
    f.equipment(building)
    f.item(nesmy)
    f.contractor(nesmy)
    f.work_request(nesmy, requested_by=admin, building_obj=building)
    f.work_order(nesmy, building_obj=building, team_obj=team, status=WorkOrder.Status.IN_PROGRESS)
    f.work_order(nesmy, building_obj=building)
    return {"secret": token_for(admin, nesmy)}


@schema.parametrize()
# Derandomised: the same examples at every run, so that CI is repeatable (SCHEMATHESIS_FULL=1 explores more).
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=not FULL)
def test_api_conforms_to_its_schema(case, world):
    case.call_and_validate(headers={"Authorization": f"Bearer {world['secret']}"})
