"""Ahmed's day for the field app: the EPCI's shared team serves Nesmy; Ahmed has the school's leak
(planned today, named on it) and the boiler whose valve was replaced last year; Bruno works in
another team of the EPCI; Venansault (not served) and another agglomeration must never leak."""

from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from conftest import access_of
from patrimoine.costs.models import MaterialLine
from patrimoine.organisations.models import Membership, TeamMember
from patrimoine.workorders.models import ChecklistItem, InterventionReport, WorkOrder
from patrimoine.workorders.services import work_order_plan

Role = Membership.Role
Status = WorkOrder.Status


def plan(order, team, technicians, *, planner, start=None):
    """Plan through the real service (it writes the history the field app relies on)."""
    with scopes_disabled():
        order.refresh_from_db()
        return work_order_plan(
            access=access_of(planner),
            work_order=order,
            expected_version=order.version,
            team=team,
            technicians=technicians,
            planned_start=start or timezone.now().replace(hour=8, minute=0, second=0, microsecond=0),
        )


@pytest.fixture
def day(f):
    epci, (nesmy, venansault) = f.epci_with_communes("Nesmy", "Venansault")
    plumbing = f.trade("plomberie", "Plomberie")
    chef = f.user("chef.epci", role=Role.TEAM_LEAD, organisation=epci, first_name="Karim", last_name="Haddad")
    ahmed = f.user("technicien.epci", role=Role.TECHNICIAN, organisation=epci, first_name="Ahmed", last_name="Benali")
    bruno = f.user("technicien2.epci", role=Role.TECHNICIAN, organisation=epci, first_name="Bruno", last_name="Morel")
    team = f.team(epci, "Régie bâtiment", lead=chef, members=[ahmed], serves=[nesmy], trade_obj=plumbing)
    other_team = f.team(epci, "Régie espaces verts", members=[bruno], serves=[nesmy])
    f.labour_rate(epci, "38.40", trade_obj=plumbing, grade=TeamMember.Grade.AGENT)
    school = f.building(nesmy, "École Jules Ferry", address="2 rue des Écoles", postal_code="85310", city="Nesmy")
    boiler = f.equipment(school, "Chaudière gaz de la chaufferie")
    joint = f.item(epci, "Joint fibre 20/27", "0.85", reference="JF2027")
    flexible = f.item(epci, "Flexible inox 50 cm", "6.90", reference="FLX50")
    f.item(nesmy, "Robinet d'arrêt 1/2", "12.40", reference="RA12")
    secret_item = f.item(venansault, "Article Zyxwvu", "1.00", reference="ZYX")
    leak = f.work_order(
        nesmy,
        title="Fuite sous l'évier de la cantine",
        building_obj=school,
        equipment=boiler,
        trade_obj=plumbing,
        priority=WorkOrder.Priority.HIGH,
        description="Fuite sous l'évier, l'eau coule par terre.",
    )
    plan(leak, team, [ahmed], planner=chef)
    with scopes_disabled():
        ChecklistItem.objects.create(organisation=nesmy, work_order=leak, label="Couper l'eau", position=0)
        ChecklistItem.objects.create(organisation=nesmy, work_order=leak, label="Vérifier l'étanchéité", position=1)
        # Last year: the same valve, on the same boiler.
        past = f.work_order(
            nesmy,
            title="Remplacer la vanne",
            building_obj=school,
            equipment=boiler,
            team_obj=team,
            status=Status.VALIDATED,
        )
        WorkOrder.objects.filter(pk=past.pk).update(completed_at=timezone.now() - timedelta(days=370))
        InterventionReport.objects.create(organisation=nesmy, work_order=past, notes="Vanne 20/27 remplacée.")
        MaterialLine.objects.create(
            organisation=nesmy,
            work_order=past,
            item=joint,
            label=joint.label,
            quantity=Decimal("2"),
            unit_cost=Decimal("0.85"),
            amount=Decimal("1.70"),
        )
    brunos = f.work_order(nesmy, title="Tailler la haie", building_obj=school)
    plan(brunos, other_team, [bruno], planner=chef)
    secret = f.work_order(venansault, title="Réparer Zyxwvu")
    return SimpleNamespace(
        epci=epci,
        nesmy=nesmy,
        venansault=venansault,
        chef=chef,
        ahmed=ahmed,
        bruno=bruno,
        team=team,
        other_team=other_team,
        school=school,
        boiler=boiler,
        joint=joint,
        flexible=flexible,
        secret_item=secret_item,
        leak=leak,
        past=past,
        brunos=brunos,
        secret=secret,
        plumbing=plumbing,
    )
