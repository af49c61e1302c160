"""The small world of the stock tests: an EPCI with a central store and a van, whose shared team
works for Nesmy; Venansault has its own store (the other commune of every isolation test)."""

from decimal import Decimal

import pytest
from django_scopes import scopes_disabled

from patrimoine.organisations.models import Membership
from patrimoine.stock.models import StockLevel, StockSettings, Store
from patrimoine.workorders.models import WorkOrder

Role = Membership.Role


@scopes_disabled()
def store(org, code="MAG", name=None, **extra) -> Store:
    return Store.objects.create(organisation=org, code=code, name=name or f"Magasin {code}", **extra)


@scopes_disabled()
def quantity_in(store_obj, item) -> Decimal:
    level = StockLevel.objects.filter(store=store_obj, item=item).first()
    return level.quantity if level else Decimal("0")


@scopes_disabled()
def allow_negative(org) -> None:
    StockSettings.objects.update_or_create(organisation=org, defaults={"allow_negative_stock": True})


@pytest.fixture
def world(f):
    epci, (nesmy, venansault) = f.epci_with_communes("Nesmy", "Venansault")
    plumbing = f.trade("plomberie", "Plomberie")
    admin = f.user("admin.epci", role=Role.ADMIN, organisation=epci)
    manager = f.user("gestionnaire.epci", role=Role.MANAGER, organisation=epci)
    chef = f.user("chef.epci", role=Role.TEAM_LEAD, organisation=epci)
    tech = f.user("technicien.epci", role=Role.TECHNICIAN, organisation=epci)
    reader = f.user("lecteur.epci", role=Role.READER, organisation=epci)
    requester = f.user("demandeur.epci", role=Role.REQUESTER, organisation=epci)
    team = f.team(epci, "Régie bâtiment", lead=chef, members=[tech], serves=[nesmy], trade_obj=plumbing)
    order = f.work_order(nesmy, team_obj=team, trade_obj=plumbing, status=WorkOrder.Status.IN_PROGRESS)
    f.name_technicians(order, tech)
    f.labour_rate(epci, "38.00")
    v_manager = f.user("gestionnaire.venansault", role=Role.MANAGER, organisation=venansault)
    return {
        "epci": epci,
        "nesmy": nesmy,
        "venansault": venansault,
        "admin": admin,
        "manager": manager,
        "chef": chef,
        "tech": tech,
        "reader": reader,
        "requester": requester,
        "team": team,
        "order": order,
        "central": store(epci, "CENTRAL", "Magasin central"),
        "van": store(epci, "FOURGON", "Fourgon plomberie"),
        "joint": f.item(epci, "Joint fibre 20/27", "0", reference="JF2027", category="Plomberie"),
        "tube": f.item(epci, "Tube LED T8 120 cm", "0", reference="T8120", category="Électricité"),
        "v_manager": v_manager,
        "v_store": store(venansault, "VMAG", "Magasin Zyxwvu"),
        "v_item": f.item(venansault, "Joint Zyxwvu", "1.10", reference="JZ"),
    }
