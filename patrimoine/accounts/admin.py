from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from patrimoine.accounts.models import User
from patrimoine.organisations.models import Membership


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["organisation"]


@admin.register(User)
class PatrimoineUserAdmin(UserAdmin):
    inlines = [MembershipInline]
    list_display = ["username", "first_name", "last_name", "email", "is_active"]
