"""The personal API tokens page (/api/jetons/) and the API documentation page (/api/v1/docs)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from patrimoine.api.forms import TokenForm
from patrimoine.api.selectors import get_token_for, tokens_of
from patrimoine.api.services import api_token_create, api_token_revoke
from patrimoine.core.errors import DomainError


def tokens(request):
    """List the user's tokens and create one; the new secret is shown once, on this answer only."""
    access = request.access
    form = TokenForm(request.POST or None)
    created = secret = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                created, secret = api_token_create(access=access, **form.cleaned_data)
            except DomainError as error:
                form.add_error(None, error.message)
        if secret is None:
            status = 400
        else:
            form = TokenForm()
    context = {
        "form": form,
        "tokens": tokens_of(access),
        "created": created,
        "secret": secret,
        "api_root": request.build_absolute_uri(reverse("api-v1:api-root")),
    }
    response = render(request, "api/tokens.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def token_revoke(request, pk):
    token = api_token_revoke(access=request.access, token=get_token_for(request.access, pk))
    messages.success(request, _("Le jeton « %(name)s » est révoqué.") % {"name": token.name})
    return redirect("api:tokens")


def docs(request):
    """Swagger UI from the files shipped by django-ninja, started by our own static script (strict CSP)."""
    return render(request, "api/docs.html", {"openapi_url": reverse("api-v1:openapi-json")})
