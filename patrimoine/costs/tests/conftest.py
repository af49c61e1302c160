"""The small world of the cost tests: an EPCI whose shared team works for two communes."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django_scopes import scopes_disabled

from patrimoine.organisations.models import Membership, TeamMember
from patrimoine.workorders.models import WorkOrder

Role = Membership.Role
PARIS = ZoneInfo("Europe/Paris")
THIS_YEAR = date.today().year


@pytest.fixture
def world(f):
    epci, (nesmy, venansault) = f.epci_with_communes("Nesmy", "Venansault")
    plumbing = f.trade("plomberie", "Plomberie")
    electricity = f.trade("electricite", "Électricité")
    chef = f.user("chef.epci", role=Role.TEAM_LEAD, organisation=epci, first_name="Karim", last_name="Diallo")
    ahmed = f.user("technicien.epci", role=Role.TECHNICIAN, organisation=epci, first_name="Ahmed", last_name="Benali")
    lucas = f.user("lucas.epci", role=Role.TECHNICIAN, organisation=epci, first_name="Lucas", last_name="Martin")
    team = f.team(epci, "Régie bâtiment", lead=chef, members=[ahmed], serves=[nesmy, venansault], trade_obj=plumbing)
    with scopes_disabled():
        TeamMember.objects.create(team=team, user=lucas, trade=electricity, grade=TeamMember.Grade.AGENT_MAITRISE)
    # Venansault's own small team, with its own technician.
    paul = f.user("technicien.venansault", role=Role.TECHNICIAN, organisation=venansault)
    own_team = f.team(venansault, "Atelier municipal", members=[paul], trade_obj=plumbing)
    f.labour_rate(epci, "38.40", year=THIS_YEAR, trade_obj=plumbing)
    f.labour_rate(epci, "41.20", year=THIS_YEAR, grade=TeamMember.Grade.AGENT_MAITRISE)
    f.labour_rate(venansault, "30.00", year=THIS_YEAR, trade_obj=plumbing)
    school = f.building(nesmy, "École Jules Ferry", surface_m2=Decimal("1200"))
    order = f.work_order(
        nesmy, building_obj=school, team_obj=team, trade_obj=plumbing, status=WorkOrder.Status.IN_PROGRESS
    )
    f.name_technicians(order, ahmed)
    return {
        "epci": epci,
        "nesmy": nesmy,
        "venansault": venansault,
        "plumbing": plumbing,
        "electricity": electricity,
        "chef": chef,
        "ahmed": ahmed,
        "lucas": lucas,
        "paul": paul,
        "team": team,
        "own_team": own_team,
        "school": school,
        "order": order,
        "joint": f.item(epci, "Joint fibre 20/27", "0.85", reference="JF2027"),
        "flexible": f.item(epci, "Flexible inox 50 cm", "12.40", reference="FLX50"),
        "nesmy_item": f.item(nesmy, "Ampoule LED E27", "4.10", reference="LED27"),
        "venansault_item": f.item(venansault, "Joint torique Venansault", "0.50", reference="JTV"),
    }


def paris(*args) -> datetime:
    return datetime(*args, tzinfo=PARIS)


def validated_order(f, org, *, building=None, trade=None, labour="0", material="0", external="0", at=None, **extra):
    """A validated order carrying its cost totals directly (what the rollups sum)."""
    labour, material, external = Decimal(labour), Decimal(material), Decimal(external)
    return f.work_order(
        org,
        building_obj=building,
        trade_obj=trade,
        status=WorkOrder.Status.VALIDATED,
        validated_at=at or paris(THIS_YEAR, 3, 15, 10),
        labour_cost=labour,
        material_cost=material,
        external_cost=external,
        total_cost=labour + material + external,
        **extra,
    )
