"""Venansault's maintenance rows for the tenant isolation matrix (patrimoine/core/tests)."""

from datetime import timedelta

from django.utils import timezone
from django_scopes import scopes_disabled

from patrimoine.maintenance.models import Finding, MaintenancePlan, Occurrence


@scopes_disabled()
def venansault_maintenance(o: dict, secret: str) -> dict:
    """A plan on Venansault's building, an inspection (its done order) and a finding, all named after `secret`."""
    order = o["order"]
    due = timezone.now() + timedelta(days=10)
    plan = MaintenancePlan.objects.create(
        organisation=order.organisation,
        name=f"Plan {secret}",
        target=MaintenancePlan.Target.BUILDING,
        building=o["building"],
        trade=order.trade,
        rrule="FREQ=YEARLY",
        dtstart=due,
    )
    occurrence = Occurrence.objects.create(
        organisation=order.organisation, plan=plan, due_on=timezone.localdate(due), due_at=due, work_order=order
    )
    finding = Finding.objects.create(
        organisation=order.organisation,
        occurrence=occurrence,
        building=o["building"],
        description=f"Réserve {secret}",
        work_order=order,
    )
    return {"plan": plan, "occurrence": occurrence, "finding": finding}
