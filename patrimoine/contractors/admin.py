from django.contrib import admin

from patrimoine.contractors.models import Contractor


@admin.register(Contractor)
class ContractorAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "siret", "email", "phone"]
    list_filter = ["organisation"]
    search_fields = ["name", "siret"]
    filter_horizontal = ["trades"]
