"""Django admin for the DSI: reference data is editable; tenant assets are managed in the app."""

from django.contrib import admin

from patrimoine.assets.models import Building, Equipment, EquipmentCategory, Site


@admin.register(EquipmentCategory)
class EquipmentCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "trade"]
    search_fields = ["name", "code"]


class ReadOnlyTenantAdmin(admin.ModelAdmin):
    """Tenant rows change through the services (permissions, audit, optimistic locking), not here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Site)
class SiteAdmin(ReadOnlyTenantAdmin):
    list_display = ["name", "code", "organisation", "city", "status"]
    list_filter = ["organisation", "status"]
    search_fields = ["name", "code", "city"]


@admin.register(Building)
class BuildingAdmin(ReadOnlyTenantAdmin):
    list_display = ["name", "code", "organisation", "erp_type", "erp_category", "status"]
    list_filter = ["organisation", "status", "is_erp"]
    search_fields = ["name", "code", "city"]
    list_select_related = ["organisation"]


@admin.register(Equipment)
class EquipmentAdmin(ReadOnlyTenantAdmin):
    list_display = ["name", "code", "organisation", "category", "building", "status"]
    list_filter = ["organisation", "category", "status"]
    search_fields = ["name", "code", "serial_number"]
    list_select_related = ["organisation", "category", "building"]
