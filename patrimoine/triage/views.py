"""The administrator's page of the assistant: its figures, the on/off switch, « Entraîner maintenant »."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from patrimoine.core.errors import DomainError
from patrimoine.triage import selectors, services
from patrimoine.triage.forms import SwitchForm


def overview(request: HttpRequest) -> HttpResponse:
    access = request.access
    if not access.has("triage.view"):
        raise PermissionDenied
    figures = selectors.frugality(access.organisation)
    context = {
        "figures": figures,
        "can_manage": access.has("triage.manage"),
        "form": SwitchForm(initial={"enabled": figures["enabled"]}),
        "organisation": access.organisation,
    }
    return render(request, "triage/overview.html", context)


@require_POST
def switch(request: HttpRequest) -> HttpResponse:
    access = request.access
    if not access.has("triage.manage"):
        raise PermissionDenied
    form = SwitchForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choix invalide : rien n'a changé."))
        return redirect("triage:overview")
    try:
        row = services.ai_switch(access=access, enabled=form.cleaned_data["enabled"])
    except DomainError as error:
        messages.error(request, error.message)
    else:
        if row.enabled:
            messages.success(request, _("L'assistant est activé pour %(org)s.") % {"org": access.organisation})
        else:
            messages.success(
                request,
                _("L'assistant est désactivé pour %(org)s : plus aucune suggestion n'est affichée.")
                % {"org": access.organisation},
            )
    return redirect("triage:overview")


@require_POST
def train(request: HttpRequest) -> HttpResponse:
    access = request.access
    if not access.has("triage.manage"):
        raise PermissionDenied
    try:
        services.training_request(access=access)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Entraînement demandé : le service de tâches s'en charge (quelques secondes)."))
    return redirect("triage:overview")
