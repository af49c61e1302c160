import logging

import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.messages.views import SuccessMessageMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from mozilla_django_oidc import views as oidc_views

from patrimoine.accounts import selectors, services
from patrimoine.accounts.forms import CodeForm, EnrolForm, GrantIdentityForm, LinkIdentityForm
from patrimoine.accounts.models import OidcIdentity
from patrimoine.accounts.oidc import SESSION_OUTCOME
from patrimoine.accounts.qr import qr_svg
from patrimoine.core.errors import DomainError, PermissionRefused
from patrimoine.organisations.access import SESSION_KEY

logger = logging.getLogger(__name__)


@method_decorator(login_not_required, name="dispatch")
class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["oidc_enabled"] = settings.OIDC_ENABLED
        context["oidc_label"] = settings.OIDC_BUTTON_LABEL
        return context


class PasswordChangeView(SuccessMessageMixin, auth_views.PasswordChangeView):
    """Local accounts: the password policy (AUTH_PASSWORD_VALIDATORS) applies here, in French."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:two-factor-enrol")
    success_message = gettext_lazy("Votre mot de passe a été modifié.")


# --- Single sign-on (OpenID Connect) ---------------------------------------------------------

SSO_OUTCOME_MESSAGES = {
    OidcIdentity.Status.PENDING: gettext_lazy(
        "Votre identité a bien été reconnue. Votre compte attend maintenant la validation d'un "
        "administrateur : vous pourrez vous connecter dès qu'il vous aura donné un rôle."
    ),
    OidcIdentity.Status.REJECTED: gettext_lazy(
        "L'accès à Patrimoine a été refusé pour cette identité. Contactez votre administrateur."
    ),
}


@method_decorator(login_not_required, name="dispatch")
class OidcStartView(oidc_views.OIDCAuthenticationRequestView):
    """Sends the browser to the provider (state, nonce and PKCE challenge kept in the session)."""

    def get(self, request):
        if not settings.OIDC_ENABLED:
            raise Http404
        return super().get(request)


@method_decorator(login_not_required, name="dispatch")
class OidcCallbackView(oidc_views.OIDCAuthenticationCallbackView):
    def get(self, request):
        if not settings.OIDC_ENABLED:
            raise Http404
        try:
            return super().get(request)
        except requests.RequestException:  # the provider did not answer the token or userinfo call
            logger.exception("OpenID Connect provider unreachable")
            return self.login_failure()

    def login_failure(self):
        outcome = self.request.session.pop(SESSION_OUTCOME, None)
        text = SSO_OUTCOME_MESSAGES.get(outcome)
        if text:
            messages.warning(self.request, str(text))
        else:
            messages.error(
                self.request,
                _("La connexion avec %(label)s n'a pas abouti. Réessayez, ou connectez-vous avec votre mot de passe.")
                % {"label": settings.OIDC_BUTTON_LABEL},
            )
        return redirect("accounts:login")


@method_decorator(login_not_required, name="dispatch")
class LogoutView(oidc_views.OIDCLogoutView):
    """Local sign-out (POST); after a single sign-on, the provider's session is ended too."""


# --- Two-factor authentication -----------------------------------------------------------------


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return reverse(settings.LOGIN_REDIRECT_URL)
    return target


def _verified(request, device) -> None:
    request.session.cycle_key()  # the session is worth more now: a new key
    otp_login(request, device)
    request.session[services.SESSION_2FA] = ""


def two_factor_verify(request):
    """Second step of the sign-in: a TOTP code or a recovery code (used once)."""
    if request.session.get(services.SESSION_2FA) != "verify":
        return redirect(_next_url(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = services.second_factor_match(user=request.user, token=form.cleaned_data["code"])
        if device is not None:
            _verified(request, device)
            if device.name == selectors.RECOVERY_DEVICE_NAME:
                left = selectors.recovery_codes_left(request.user)
                messages.warning(
                    request,
                    _("Code de secours utilisé : il vous en reste %(n)s. Régénérez-les depuis votre compte.")
                    % {"n": left},
                )
            return redirect(_next_url(request))
        form.add_error("code", _("Code incorrect ou expiré. Réessayez dans quelques secondes."))
    context = {"form": form, "next": _next_url(request), "navigation": []}  # nothing to go to before the code
    return render(request, "accounts/two_factor_verify.html", context)


def two_factor_enrol(request):
    """Set up TOTP: scan the QR code, type the first code; recovery codes are shown once."""
    if selectors.has_confirmed_totp(request.user):
        if request.session.get(services.SESSION_2FA) == "verify":
            return redirect("accounts:two-factor-verify")
        context = {
            "codes_left": selectors.recovery_codes_left(request.user),
            "codes": request.session.pop("recovery_codes", None),  # shown once, right after they are made
        }
        return render(request, "accounts/two_factor_status.html", context)
    device = services.totp_enrolment_start(user=request.user)
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.totp_enrolment_confirm(user=request.user, token=form.cleaned_data["code"])
        except DomainError as error:
            form.add_error("code", error.message)
        else:
            device.refresh_from_db()
            _verified(request, device)
            request.session["recovery_codes"] = codes
            messages.success(request, _("La double authentification est activée."))
            return redirect("accounts:two-factor-enrol")
    context = {
        "form": form,
        "secret": _spaced(device.bin_key),
        "mandatory": request.session.get(services.SESSION_2FA) == "enrol",
    }
    if context["mandatory"]:
        context["navigation"] = []  # nothing else is open before the enrolment

    return render(request, "accounts/two_factor_enrol.html", context)


def _spaced(key: bytes) -> str:
    from base64 import b32encode

    text = b32encode(key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def two_factor_qr(request):
    """The enrolment QR code as an SVG image (an <img>: nothing inline for the CSP)."""
    device = selectors.pending_totp_device(request.user)
    if device is None:
        raise Http404
    response = HttpResponse(qr_svg(device.config_url), content_type="image/svg+xml")
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def recovery_codes_regenerate(request):
    try:
        request.session["recovery_codes"] = services.recovery_codes_regenerate(user=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Nouveaux codes de secours : les anciens ne fonctionnent plus."))
    return redirect("accounts:two-factor-enrol")


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


# --- Pending identities (organisation administrators) --------------------------------------------


def _identities_context(request, forms_by_pk=None) -> dict:
    access = request.access
    accounts = selectors.linkable_accounts(access)
    rows = []
    for identity in selectors.pending_identities().order_by("created_at"):
        bound = (forms_by_pk or {}).get(identity.pk, {})
        rows.append(
            {
                "identity": identity,
                "grant": bound.get("grant") or GrantIdentityForm(prefix=f"g{identity.pk}"),
                "link": bound.get("link") or LinkIdentityForm(prefix=f"l{identity.pk}", accounts=accounts),
            }
        )
    return {"rows": rows, "organisation": access.organisation, "has_accounts": accounts.exists()}


def pending_identities(request):
    """« Identités en attente »: people who signed in through the provider and wait for a decision."""
    if not request.access.has("accounts.identities"):
        raise PermissionDenied
    return render(request, "accounts/identities.html", _identities_context(request))


@require_POST
def identity_approve(request, pk):
    """Open the account with a role here (button « creer »), or tie it to an existing account (« lier »)."""
    access = request.access
    identity = selectors.get_pending_identity_for(access, pk)
    if request.POST.get("decision") == "lier":
        form = LinkIdentityForm(request.POST, prefix=f"l{pk}", accounts=selectors.linkable_accounts(access))
        forms_by_pk = {identity.pk: {"link": form}}
    else:
        form = GrantIdentityForm(request.POST, prefix=f"g{pk}")
        forms_by_pk = {identity.pk: {"grant": form}}
    if form.is_valid():
        try:
            if "account" in form.cleaned_data:
                user = services.oidc_identity_link(access=access, identity=identity, user=form.cleaned_data["account"])
            else:
                user = services.oidc_identity_grant(access=access, identity=identity, role=form.cleaned_data["role"])
        except PermissionRefused:
            raise PermissionDenied from None
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("Accès accordé : %(who)s peut maintenant se connecter avec son identité.")
                % {"who": user.get_full_name() or user.username},
            )
            return redirect("accounts:identities")
    return render(request, "accounts/identities.html", _identities_context(request, forms_by_pk), status=400)


@require_POST
def identity_reject(request, pk):
    access = request.access
    identity = selectors.get_pending_identity_for(access, pk)
    try:
        services.oidc_identity_refuse(access=access, identity=identity)
    except PermissionRefused:
        raise PermissionDenied from None
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Identité refusée : %(email)s.") % {"email": identity.email or identity.subject})
    return redirect("accounts:identities")
