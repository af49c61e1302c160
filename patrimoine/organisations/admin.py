from django.contrib import admin

from patrimoine.organisations.models import Organisation, Team, TeamMember, Trade


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "parent", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "siren", "insee_code"]
    prepopulated_fields = {"slug": ["name"]}


class TeamMemberInline(admin.TabularInline):
    model = TeamMember
    extra = 0


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "lead"]
    inlines = [TeamMemberInline]
    filter_horizontal = ["trades", "served_organisations"]


admin.site.register(Trade)
