"""Small factories for tests: each test builds the minimum it needs, nothing global.

All of them work without an active scope (they use `scopes_disabled`), so tests can build data
for several organisations and then look at it through a user's access.
"""

import itertools
from datetime import date
from decimal import Decimal

from django.utils.text import slugify
from django_scopes import scopes_disabled

from patrimoine.accounts.models import User
from patrimoine.assets.models import Building, Equipment, EquipmentCategory, Level, Site, Space
from patrimoine.contractors.models import Contractor
from patrimoine.core.services import reference_next
from patrimoine.costs.models import LabourRate
from patrimoine.intake.models import WorkRequest
from patrimoine.organisations.models import Membership, Organisation, Team, TeamMember, Trade
from patrimoine.reporting import rollups
from patrimoine.stock.models import Item
from patrimoine.workorders.models import WorkOrder, WorkOrderTechnician

_seq = itertools.count(1)
PASSWORD = "motdepasse-test"


def organisation(name: str | None = None, *, kind=Organisation.Kind.COMMUNE, parent=None, **extra) -> Organisation:
    name = name or f"Commune {next(_seq)}"
    return Organisation.objects.create(name=name, slug=slugify(name)[:60], kind=kind, parent=parent, **extra)


def epci_with_communes(*names: str) -> tuple[Organisation, list[Organisation]]:
    epci = organisation(f"Agglomération {next(_seq)}", kind=Organisation.Kind.EPCI)
    return epci, [organisation(n, parent=epci) for n in names]


def user(
    username: str | None = None,
    *,
    role: str | None = None,
    organisation: Organisation | None = None,
    contractor: Contractor | None = None,
    **extra,
) -> User:
    username = username or f"user{next(_seq)}"
    person = User.objects.create_user(username=username, password=PASSWORD, email=f"{username}@example.org", **extra)
    if role and organisation:
        Membership.objects.create(user=person, organisation=organisation, role=role, contractor=contractor)
    return person


def trade(code: str = "plomberie", name: str | None = None) -> Trade:
    return Trade.objects.get_or_create(code=code, defaults={"name": name or code.capitalize()})[0]


def category(code: str = "plomberie-sanitaire", name: str | None = None) -> EquipmentCategory:
    return EquipmentCategory.objects.get_or_create(code=code, defaults={"name": name or code})[0]


@scopes_disabled()
def team(
    org: Organisation,
    name: str | None = None,
    *,
    members=(),
    lead=None,
    serves=(),
    trade_obj=None,
    grade=TeamMember.Grade.AGENT,
) -> Team:
    t = Team.objects.create(organisation=org, name=name or f"Équipe {next(_seq)}", lead=lead)
    for member in members:
        TeamMember.objects.create(team=t, user=member, trade=trade_obj, grade=grade)
    t.served_organisations.set(serves)
    return t


@scopes_disabled()
def site(org: Organisation, name: str | None = None, **extra) -> Site:
    n = next(_seq)
    return Site.objects.create(organisation=org, name=name or f"Site {n}", code=extra.pop("code", f"S{n}"), **extra)


@scopes_disabled()
def building(org: Organisation, name: str | None = None, *, site_obj: Site | None = None, **extra) -> Building:
    n = next(_seq)
    site_obj = site_obj or site(org)
    return Building.objects.create(
        organisation=org, site=site_obj, name=name or f"Bâtiment {n}", code=extra.pop("code", f"B{n}"), **extra
    )


@scopes_disabled()
def level(b: Building, name: str = "Rez-de-chaussée", position: int = 0) -> Level:
    return Level.objects.create(organisation_id=b.organisation_id, building=b, name=name, position=position)


@scopes_disabled()
def space(lvl: Level, name: str = "Cantine") -> Space:
    return Space.objects.create(organisation_id=lvl.organisation_id, level=lvl, name=name)


@scopes_disabled()
def equipment(b: Building, name: str = "Chaudière gaz", **extra) -> Equipment:
    n = next(_seq)
    return Equipment.objects.create(
        organisation_id=b.organisation_id,
        site=b.site,
        building=b,
        category=extra.pop("category", None) or category(),
        name=name,
        code=extra.pop("code", f"EQ{n}"),
        **extra,
    )


@scopes_disabled()
def contractor(org: Organisation, name: str | None = None) -> Contractor:
    return Contractor.objects.create(organisation=org, name=name or f"Entreprise {next(_seq)}")


@scopes_disabled()
def item(org: Organisation, label: str = "Joint fibre 20/27", unit_cost: str = "0.85", **extra) -> Item:
    return Item.objects.create(
        organisation=org,
        reference=extra.pop("reference", f"ART{next(_seq)}"),
        label=label,
        unit_cost=Decimal(unit_cost),
        **extra,
    )


@scopes_disabled()
def labour_rate(
    org: Organisation, rate: str = "38.00", *, year: int | None = None, grade=TeamMember.Grade.AGENT, trade_obj=None
) -> LabourRate:
    return LabourRate.objects.create(
        organisation=org, year=year or date.today().year, grade=grade, trade=trade_obj, hourly_rate=Decimal(rate)
    )


@scopes_disabled()
def work_request(
    org: Organisation, *, requested_by=None, building_obj=None, description="Fuite sous l'évier", **extra
) -> WorkRequest:
    request = WorkRequest.objects.create(
        organisation=org,
        reference=reference_next(organisation=org, prefix="DI"),
        requested_by=requested_by,
        building=building_obj,
        description=description,
        **extra,
    )
    rollups.track_new(requests=[request.pk])  # as the services do: the dashboards count it
    return request


@scopes_disabled()
def work_order(
    org: Organisation,
    *,
    title="Réparer la fuite",
    trade_obj=None,
    building_obj=None,
    team_obj=None,
    status=WorkOrder.Status.TO_PLAN,
    **extra,
) -> WorkOrder:
    order = WorkOrder.objects.create(
        organisation=org,
        reference=reference_next(organisation=org, prefix="BT"),
        title=title,
        trade=trade_obj or trade(),
        building=building_obj,
        site=building_obj.site if building_obj else None,
        team=team_obj,
        status=status,
        **extra,
    )
    rollups.track_new(orders=[order.pk])  # as the services do: the dashboards count it
    return order


def name_technicians(order: WorkOrder, *users: User) -> None:
    """Name `users` on `order` without the planning service, each row with the order's organisation."""
    order.technicians.add(*users, through_defaults=WorkOrderTechnician.defaults_for(order))
