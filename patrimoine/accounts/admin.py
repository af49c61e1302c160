from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from patrimoine.accounts import services
from patrimoine.accounts.forms import ApproveIdentityForm
from patrimoine.accounts.models import OidcIdentity, User
from patrimoine.core.errors import DomainError
from patrimoine.organisations.models import Membership


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["organisation"]


@admin.register(User)
class PatrimoineUserAdmin(UserAdmin):
    inlines = [MembershipInline]
    list_display = ["username", "first_name", "last_name", "email", "is_active"]


@admin.register(OidcIdentity)
class OidcIdentityAdmin(admin.ModelAdmin):
    """Single sign-on identities; the pending ones are approved (with a role) or rejected here."""

    list_display = ["__str__", "email", "email_verified", "status", "created_at", "decide"]
    list_filter = ["status", "email_verified"]
    search_fields = ["email", "given_name", "family_name", "subject"]
    readonly_fields = [f.name for f in OidcIdentity._meta.fields]
    actions = ["reject"]

    def has_add_permission(self, request):
        return False

    @admin.display(description=gettext_lazy("Décision"))
    def decide(self, identity):
        if identity.status != OidcIdentity.Status.PENDING:
            return "—"
        url = reverse("admin:accounts_oidcidentity_approve", args=[identity.pk])
        return format_html('<a href="{}">{}</a>', url, _("Valider…"))

    def get_urls(self):
        approve = self.admin_site.admin_view(self.approve_view)
        return [path("<int:pk>/valider/", approve, name="accounts_oidcidentity_approve"), *super().get_urls()]

    def approve_view(self, request, pk):
        identity = get_object_or_404(OidcIdentity.objects.select_related("user"), pk=pk)
        if not self.has_change_permission(request, identity):
            return redirect("admin:index")
        form = ApproveIdentityForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.oidc_identity_approve(actor=request.user, identity=identity, **form.cleaned_data)
            except DomainError as error:
                self.message_user(request, error.message, messages.ERROR)
            else:
                self.message_user(request, _("Accès accordé à %(who)s.") % {"who": identity.user}, messages.SUCCESS)
            return redirect("admin:accounts_oidcidentity_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Valider l'identité de %(who)s") % {"who": identity},
            "identity": identity,
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/accounts/oidcidentity/approve.html", context)

    @admin.action(description=gettext_lazy("Refuser les identités sélectionnées"))
    def reject(self, request, queryset):
        done = 0
        for identity in queryset.filter(status=OidcIdentity.Status.PENDING):
            services.oidc_identity_reject(actor=request.user, identity=identity)
            done += 1
        self.message_user(request, _("%(n)s identité(s) refusée(s).") % {"n": done}, messages.SUCCESS)
