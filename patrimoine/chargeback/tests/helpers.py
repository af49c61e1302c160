"""The small world of the charge-back tests: an EPCI whose shared team works for member communes.

Validated orders are written row by row (lines, then the real `work_order_recompute_costs`), with a
chosen validation instant: the services would stamp « now », and a statement bills past quarters.
"""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone
from django_scopes import scopes_disabled

from patrimoine.costs.models import ExternalCost, MaterialLine, TimeEntry
from patrimoine.costs.selectors import Period
from patrimoine.costs.services import work_order_recompute_costs
from patrimoine.organisations.models import Membership, TeamMember
from patrimoine.reporting import rollups
from patrimoine.workorders.models import WorkOrder

Role = Membership.Role
PARIS = ZoneInfo("Europe/Paris")
LAST_YEAR = timezone.localdate().year - 1
Q1 = Period(dt.date(LAST_YEAR, 1, 1), dt.date(LAST_YEAR, 3, 31))
Q2 = Period(dt.date(LAST_YEAR, 4, 1), dt.date(LAST_YEAR, 6, 30))
CENT = Decimal("0.01")


def paris(month: int, day: int, hour: int = 10, minute: int = 0, year: int = LAST_YEAR) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=PARIS)


def money(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def shared_world(f, *communes: str, overhead: str = "8.00") -> dict:
    """An EPCI (overhead rate `overhead` %) with member communes, a shared team serving all of them,
    two technicians, and one user of each role that matters, in the EPCI and in each commune."""
    names = communes or ("Nesmy", "Venansault")
    epci, members = f.epci_with_communes(*names)
    with scopes_disabled():
        type(epci).objects.filter(pk=epci.pk).update(overhead_rate=Decimal(overhead), address="Place Napoléon")
        epci.refresh_from_db()
    plumbing = f.trade("plomberie", "Plomberie")
    chef = f.user(role=Role.TEAM_LEAD, organisation=epci, first_name="Karim", last_name="Haddad")
    ahmed = f.user(role=Role.TECHNICIAN, organisation=epci, first_name="Ahmed", last_name="Benali")
    lucas = f.user(role=Role.TECHNICIAN, organisation=epci, first_name="Lucas", last_name="Martin")
    team = f.team(epci, "Régie mutualisée", lead=chef, members=[ahmed], serves=members, trade_obj=plumbing)
    with scopes_disabled():
        TeamMember.objects.create(team=team, user=lucas, grade=TeamMember.Grade.AGENT_MAITRISE)
    world = {
        "epci": epci,
        "communes": members,
        "team": team,
        "plumbing": plumbing,
        "chef": chef,
        "ahmed": ahmed,
        "lucas": lucas,
        "admin_epci": f.user(role=Role.ADMIN, organisation=epci),
        "manager_epci": f.user(role=Role.MANAGER, organisation=epci),
        "reader_epci": f.user(role=Role.READER, organisation=epci),
        "technician_epci": ahmed,
    }
    for commune in members:
        key = commune.slug
        world[f"reader_{key}"] = f.user(role=Role.READER, organisation=commune)
        world[f"admin_{key}"] = f.user(role=Role.ADMIN, organisation=commune)
        world[f"manager_{key}"] = f.user(role=Role.MANAGER, organisation=commune)
        world[f"chef_{key}"] = f.user(role=Role.TEAM_LEAD, organisation=commune)
    return world


@scopes_disabled()
def validated_order(
    f,
    world: dict,
    organisation,
    *,
    at: dt.datetime,
    time=(),
    materials=(),
    externals=(),
    team="shared",
    title="Intervention",
    building=None,
) -> WorkOrder:
    """A validated order of `organisation` done by the shared team (or `team`), with its lines:
    time = [(technician, hours, rate)], materials = [(label, quantity, unit_cost)], externals = [amount]."""
    team_obj = world["team"] if team == "shared" else team
    order = f.work_order(
        organisation,
        title=title,
        trade_obj=world["plumbing"],
        team_obj=team_obj,
        building_obj=building,
        status=WorkOrder.Status.VALIDATED,
    )
    for technician, hours, rate in time:
        hours, rate = Decimal(str(hours)), Decimal(str(rate))
        TimeEntry.objects.create(
            organisation=organisation,
            work_order=order,
            technician=technician,
            date=(at - dt.timedelta(days=1)).date(),
            hours=hours,
            hourly_rate=rate,
            amount=money(hours * rate),
        )
    for label, quantity, unit_cost in materials:
        quantity, unit_cost = Decimal(str(quantity)), Decimal(str(unit_cost))
        MaterialLine.objects.create(
            organisation=organisation,
            work_order=order,
            label=label,
            quantity=quantity,
            unit_cost=unit_cost,
            amount=money(quantity * unit_cost),
        )
    for amount in externals:
        ExternalCost.objects.create(
            organisation=organisation, work_order=order, description="Prestation", amount=money(amount)
        )
    with rollups.tracking(orders=[order.pk]):  # as the services do: the cost dashboards count it
        WorkOrder.objects.filter(pk=order.pk).update(completed_at=at, validated_at=at)
        work_order_recompute_costs(work_order=order)
    order.refresh_from_db()
    return order
