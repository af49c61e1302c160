"""Reads of costs: the lines of one work order, and rollups per building, commune, trade, period."""

from patrimoine.costs.models import ExternalCost, MaterialLine, TimeEntry


def work_order_costs_context(access, work_order) -> dict:
    """What the cost section of a work order page shows (lines and totals)."""
    return {
        "time_entries": TimeEntry.objects.filter(work_order=work_order).select_related("technician"),
        "material_lines": MaterialLine.objects.filter(work_order=work_order).select_related("item"),
        "external_costs": ExternalCost.objects.filter(work_order=work_order).select_related("contractor"),
    }
