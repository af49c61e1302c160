"""Views of the work orders (bons de travail): one module per page family."""

from patrimoine.workorders.views.orders import (
    checklist_toggle,
    photo_add,
    report_save,
    work_order_create,
    work_order_detail,
    work_order_edit,
    work_order_list,
    work_order_plan,
    work_order_transition,
)
from patrimoine.workorders.views.planning import plan_slot, planning, to_validate

__all__ = [
    "checklist_toggle",
    "photo_add",
    "plan_slot",
    "planning",
    "report_save",
    "to_validate",
    "work_order_create",
    "work_order_detail",
    "work_order_edit",
    "work_order_list",
    "work_order_plan",
    "work_order_transition",
]
