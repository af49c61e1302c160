from django.contrib import admin

from patrimoine.intake.models import RequesterBuilding, WorkRequest


@admin.register(RequesterBuilding)
class RequesterBuildingAdmin(admin.ModelAdmin):
    """Which buildings a requester reports for: the « Signaler un problème » form offers them first."""

    list_display = ["user", "building", "organisation"]
    list_filter = ["organisation"]
    search_fields = ["user__username", "user__last_name", "building__name"]
    fields = ["user", "building"]
    list_select_related = ["user", "building", "organisation"]

    def save_model(self, request, obj, form, change):
        obj.organisation_id = obj.building.organisation_id
        super().save_model(request, obj, form, change)


@admin.register(WorkRequest)
class WorkRequestAdmin(admin.ModelAdmin):
    """Read only: requests change through the triage services (audit, e-mails, work orders)."""

    list_display = ["reference", "organisation", "status", "urgency", "building", "created_at"]
    list_filter = ["organisation", "status", "urgency", "channel"]
    search_fields = ["reference", "description", "requester_name"]
    list_select_related = ["organisation", "building"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
