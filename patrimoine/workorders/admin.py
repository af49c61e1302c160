from django.contrib import admin

from patrimoine.assets.admin import ReadOnlyTenantAdmin
from patrimoine.workorders.models import WorkOrder, WorkOrderTransition


class TransitionInline(admin.TabularInline):
    model = WorkOrderTransition
    extra = 0
    can_delete = False
    fields = ["at", "from_status", "to_status", "actor", "reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WorkOrder)
class WorkOrderAdmin(ReadOnlyTenantAdmin):
    """Read only: orders move through the workflow services, which check and record every change."""

    list_display = ["reference", "title", "organisation", "status", "trade", "team", "total_cost"]
    list_filter = ["organisation", "status", "kind", "trade"]
    search_fields = ["reference", "title"]
    list_select_related = ["organisation", "trade", "team"]
    inlines = [TransitionInline]
