"""The small world of the purchasing and budget tests: Nesmy with a budget, a framework contract
whose plumbing lot is held by Plomberie Durand (whose employee has a contractor account), another
company, and Venansault next door."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from patrimoine.budgets.models import BudgetLine
from patrimoine.organisations.models import Membership
from patrimoine.purchasing.models import Contract, Lot, PriceLine
from patrimoine.workorders.models import WorkOrder

Role = Membership.Role
THIS_YEAR = timezone.localdate().year
D = Decimal


@scopes_disabled()
def budget_line(org, code, amount, *, year=THIS_YEAR, section=BudgetLine.Section.OPERATING, **extra) -> BudgetLine:
    return BudgetLine.objects.create(
        organisation=org,
        year=year,
        section=section,
        code=code,
        label=extra.pop("label", f"Ligne {code}"),
        amount=D(amount),
        **extra,
    )


@scopes_disabled()
def contract(org, contractor, *, reference="2026-012", prices=(("P1", "Intervention plombier", "h", "52.00"),), **lot):
    today = timezone.localdate()
    c = Contract.objects.create(
        organisation=org,
        reference=reference,
        title="Entretien plomberie des bâtiments communaux",
        start_date=lot.pop("start", today - timedelta(days=100)),
        end_date=lot.pop("end", today + timedelta(days=300)),
    )
    lot_obj = Lot.objects.create(
        organisation=org, contract=c, number=1, title="Plomberie", contractor=contractor, **lot
    )
    for code, label, unit, price in prices:
        PriceLine.objects.create(organisation=org, lot=lot_obj, code=code, label=label, unit=unit, unit_price=D(price))
    return lot_obj


@pytest.fixture
def shop(f):
    epci, (nesmy, venansault) = f.epci_with_communes("Nesmy", "Venansault")
    durand = f.contractor(nesmy, "Plomberie Durand")
    other = f.contractor(nesmy, "Électricité Martin")
    plumbing = f.trade("plomberie", "Plomberie")
    school = f.building(nesmy, "École Jules Ferry")
    order = f.work_order(
        nesmy,
        title="Remplacer le chauffe-eau",
        building_obj=school,
        trade_obj=plumbing,
        status=WorkOrder.Status.IN_PROGRESS,
        contractor=durand,
    )
    lot = contract(
        nesmy,
        durand,
        prices=(
            ("P1", "Heure de plombier", "h", "52.00"),
            ("P7", "Chauffe-eau 200 l posé", "u", "890.00"),
            ("P9", "Groupe de sécurité", "u", "38.50"),
        ),
    )
    v_contractor = f.contractor(venansault, "Entreprise Zyxwvu")
    return {
        "epci": epci,
        "nesmy": nesmy,
        "venansault": venansault,
        "durand": durand,
        "other": other,
        "plumbing": plumbing,
        "school": school,
        "order": order,
        "lot": lot,
        "prices": _prices(lot),
        "admin": f.user("admin.nesmy", role=Role.ADMIN, organisation=nesmy),
        "manager": f.user("gestionnaire.nesmy", role=Role.MANAGER, organisation=nesmy),
        "chef": f.user("chef.nesmy", role=Role.TEAM_LEAD, organisation=nesmy),
        "reader": f.user("lecteur.nesmy", role=Role.READER, organisation=nesmy),
        "tech": f.user("technicien.nesmy", role=Role.TECHNICIAN, organisation=nesmy),
        "durand_user": f.user("durand", role=Role.CONTRACTOR, organisation=nesmy, contractor=durand),
        "martin_user": f.user("martin", role=Role.CONTRACTOR, organisation=nesmy, contractor=other),
        "v_manager": f.user("gestionnaire.venansault", role=Role.MANAGER, organisation=venansault),
        "v_contractor": v_contractor,
        "maintenance": budget_line(nesmy, "011-615221", "10000.00", label="Entretien des bâtiments", is_default=True),
        "v_line": budget_line(venansault, "011-615221", "5000.00", label="Entretien Zyxwvu", is_default=True),
    }


@scopes_disabled()
def _prices(lot):
    return {p.code: p for p in PriceLine.objects.filter(lot=lot)}


def paris_today() -> date:
    return timezone.localdate()
