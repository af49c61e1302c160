"""Writes on cost lines. Every change ends with `work_order_recompute_costs`, which sums the lines
with database aggregates (never read-modify-write in Python)."""

from decimal import Decimal

from django.db.models import Sum
from django.db.models.functions import Coalesce

from patrimoine.costs.models import ExternalCost, MaterialLine, TimeEntry
from patrimoine.workorders.models import WorkOrder

ZERO = Decimal("0.00")


def work_order_recompute_costs(*, work_order: WorkOrder) -> WorkOrder:
    """Set the order's labour, material, external and total costs from its lines (to the cent)."""

    def total(model) -> Decimal:
        return (
            model.objects.filter(work_order_id=work_order.pk)
            .aggregate(s=Coalesce(Sum("amount"), ZERO))["s"]
            .quantize(Decimal("0.01"))
        )

    labour, material, external = total(TimeEntry), total(MaterialLine), total(ExternalCost)
    fields = {
        "labour_cost": labour,
        "material_cost": material,
        "external_cost": external,
        "total_cost": labour + material + external,
    }
    WorkOrder._base_manager.filter(pk=work_order.pk).update(**fields)
    for name, value in fields.items():
        setattr(work_order, name, value)
    return work_order
