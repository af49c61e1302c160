from django.contrib import admin

from patrimoine.open311.models import ApiKey, Service


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "organisation", "trade", "type", "is_active"]
    list_filter = ["organisation", "is_active", "type"]
    search_fields = ["code", "name"]
    list_select_related = ["organisation", "trade"]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Read only: keys are created (shown once) and revoked on the organisation's Open311 page."""

    list_display = ["name", "organisation", "prefix", "is_active", "last_used_at", "revoked_at"]
    list_filter = ["organisation", "is_active"]
    search_fields = ["name", "prefix"]
    list_select_related = ["organisation"]
    exclude = ["key_hash"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
