from django.contrib import admin

from patrimoine.core.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The audit trail can be read, never written or deleted from the admin."""

    list_display = ["at", "organisation", "actor", "action", "target_type", "target_id", "message"]
    list_filter = ["organisation", "action", "target_type"]
    search_fields = ["action", "target_id", "message", "actor__username"]
    date_hierarchy = "at"
    list_select_related = ["organisation", "actor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
