from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from patrimoine.organisations.access import SESSION_KEY


@method_decorator(login_not_required, name="dispatch")
class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


@require_POST
def switch_organisation(request):
    """Act for another of the user's organisations (kept in the session)."""
    try:
        organisation_id = int(request.POST.get("organisation", ""))
    except ValueError:
        organisation_id = None
    allowed = {m.organisation_id: m for m in request.access.memberships}
    if organisation_id not in allowed:
        messages.error(request, _("Vous n'appartenez pas à cette collectivité."))
    else:
        request.session[SESSION_KEY] = organisation_id
        messages.success(
            request, _("Vous agissez maintenant pour %(org)s.") % {"org": allowed[organisation_id].organisation}
        )
    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    return redirect(target)
