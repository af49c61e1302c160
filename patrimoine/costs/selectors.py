"""Reads of costs: the lines of one work order, and rollups per building, commune, trade, period."""

from patrimoine.costs.models import ExternalCost, MaterialLine, TimeEntry


def work_order_costs_context(access, work_order) -> dict:
    """What the cost section of a work order page shows (lines and totals)."""
    return {
        "time_entries": TimeEntry.objects.filter(work_order=work_order).select_related("technician"),
        "material_lines": MaterialLine.objects.filter(work_order=work_order).select_related("item"),
        "external_costs": ExternalCost.objects.filter(work_order=work_order).select_related("contractor"),
    }


def building_costs(access, building) -> list[dict]:
    """Realised cost of a building per year: validated work orders, by year of validation.

    Each row: {"year", "labour", "material", "external", "total", "orders"} — newest year first.
    (The costs issue refines this; the building page relies on this signature.)
    """
    from django.db.models import Count, Sum
    from django.db.models.functions import ExtractYear

    from patrimoine.workorders.models import WorkOrder
    from patrimoine.workorders.selectors import work_orders_visible_to

    rows = (
        work_orders_visible_to(access)
        .filter(building=building, status=WorkOrder.Status.VALIDATED)
        .annotate(year=ExtractYear("validated_at", tzinfo=None))
        .values("year")
        .annotate(
            labour=Sum("labour_cost"),
            material=Sum("material_cost"),
            external=Sum("external_cost"),
            total=Sum("total_cost"),
            orders=Count("pk"),
        )
        .order_by("-year")
    )
    return list(rows)
