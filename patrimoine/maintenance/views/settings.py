"""The statutory catalogue (reference), generation on demand with its progress, preferences."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from patrimoine.core.errors import DomainError

from .. import selectors, services
from ..forms import PreferenceForm
from ..models import StatutoryCheck
from ..notifications import RECIPIENT_ROLES
from .common import can_manage, is_htmx, require_view, status_of


@require_GET
def catalogue(request):
    require_view(request.access)
    checks = StatutoryCheck.objects.filter(is_active=True).select_related("trade").prefetch_related("categories")
    return render(request, "maintenance/catalogue.html", {"checks": checks.order_by("position")})


@require_http_methods(["GET", "POST"])
def generation(request):
    """Runs of the generator; a manager may queue one for his organisation and watch it progress."""
    access = request.access
    require_view(access)
    status = 200
    if request.method == "POST":
        try:
            services.generation_request(access=access)
        except DomainError as error:
            messages.error(request, error.message)
            status = status_of(error)
        else:
            messages.success(request, _("La génération est en file : elle avance ci-dessous."))
            return redirect("maintenance:generation")
    runs = list(selectors.generation_runs_for(access))
    context = {"runs": runs, "polling": any(r.is_active for r in runs), "can_manage": can_manage(access)}
    template = "maintenance/partials/runs.html" if is_htmx(request) else "maintenance/generation.html"
    return render(request, template, context, status=status)


@require_http_methods(["GET", "POST"])
def preferences(request):
    access = request.access
    require_view(access)
    preference = services.preference_of(request.user)
    if request.method == "POST":
        if "reset_token" in request.POST:
            services.calendar_token_reset(access=access)
            messages.success(request, _("Nouvelles adresses de calendrier : les anciennes ne fonctionnent plus."))
            return redirect("maintenance:preferences")
        form = PreferenceForm(request.POST)
        if form.is_valid():
            services.preference_update(access=access, **form.cleaned_data)
            messages.success(request, _("Préférences enregistrées."))
            return redirect("maintenance:preferences")
    else:
        form = PreferenceForm(
            initial={"overdue_alerts": preference.overdue_alerts, "weekly_digest": preference.weekly_digest}
        )
    feeds = [
        (
            team.name,
            request.build_absolute_uri(
                reverse("maintenance:ical-team", kwargs={"token": preference.calendar_token, "team_pk": team.pk})
            ),
        )
        for team in selectors.calendar_teams(access)
    ]
    context = {"form": form, "feeds": feeds, "is_recipient": access.role in RECIPIENT_ROLES}
    return render(request, "maintenance/preferences.html", context)
