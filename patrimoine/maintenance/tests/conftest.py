"""Helpers of the maintenance tests: a commune with a manager, a building with equipment, plans."""

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

import pytest
from django_scopes import scopes_disabled

from conftest import access_of
from patrimoine.maintenance.catalogue import load_catalogue
from patrimoine.maintenance.models import MaintenancePlan
from patrimoine.maintenance.recurrence import PARIS
from patrimoine.organisations.models import Membership

Role = Membership.Role


def at(day: date, hour: int = 8, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS)


@scopes_disabled()
def make_plan(org, *, building=None, equipment=None, category=None, trade=None, **fields) -> MaintenancePlan:
    """A plan written directly (tests of the generator); services tests go through plan_create."""
    from patrimoine.testing import factories

    if equipment is not None:
        target = MaintenancePlan.Target.EQUIPMENT
        building = building or equipment.building
    elif category is not None:
        target = MaintenancePlan.Target.CATEGORY
    else:
        target = MaintenancePlan.Target.BUILDING
    values = {
        "name": "Vérification annuelle",
        "trigger": MaintenancePlan.Trigger.CALENDAR,
        "rrule": "FREQ=YEARLY",
        "dtstart": at(date(2026, 9, 15)),
        "lead_days": 30,
    }
    values.update(fields)
    if values["trigger"] == MaintenancePlan.Trigger.METER:
        values.update(rrule="", dtstart=None)
    return MaintenancePlan.objects.create(
        organisation=org,
        target=target,
        building=building,
        equipment=equipment,
        category=category,
        trade=trade or factories.trade("securite-incendie", "Sécurité incendie"),
        **values,
    )


@dataclass
class Commune:
    org: object
    manager: object
    building: object
    access: object


@pytest.fixture
def commune(f):
    org = f.organisation("Nesmy")
    manager = f.user("claire", role=Role.MANAGER, organisation=org)
    building = f.building(
        org,
        "Salle de sports",
        is_erp=True,
        erp_type="X",
        erp_category=3,
        construction_year=1989,
        surface_m2=Decimal("1650"),
    )
    return Commune(org, manager, building, access_of(manager, org))


@pytest.fixture
def catalogue(db):
    with scopes_disabled():
        load_catalogue()
