"""Writes about accounts: single sign-on identities, second factors (TOTP and recovery codes).

Every function takes the acting user, runs in a transaction and writes its audit row.
"""

import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_scopes import scopes_disabled

from patrimoine.accounts import selectors
from patrimoine.accounts.models import OidcIdentity, User
from patrimoine.core.errors import DomainError, PermissionRefused
from patrimoine.core.services import audit_record
from patrimoine.organisations.models import Membership, Organisation

RECOVERY_CODES = 10
SESSION_2FA = "patrimoine_2fa"  # "verify": a code is due; "enrol": an administrator must enrol first


def _audit(**kwargs) -> None:
    with scopes_disabled():
        audit_record(**kwargs)


# --- Two-factor authentication -------------------------------------------------------------


def two_factor_requirement(user: User) -> str:
    """What the user must still do after the password (or SSO): "verify", "enrol" or ""."""
    if has_second_factor(user):
        return "verify"
    if settings.TWO_FACTOR_REQUIRED_FOR_ADMINS and selectors.is_administrator(user):
        return "enrol"
    return ""


def has_second_factor(user: User) -> bool:
    return selectors.has_confirmed_totp(user)


def totp_enrolment_start(*, user: User) -> TOTPDevice:
    """The unconfirmed TOTP device whose secret the enrolment page shows (created once)."""
    device = selectors.pending_totp_device(user)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_("Application d'authentification"), confirmed=False)
    return device


@transaction.atomic
def totp_enrolment_confirm(*, user: User, token: str) -> list[str]:
    """Confirm the device with a first code from the app; returns fresh recovery codes."""
    device = selectors.pending_totp_device(user)
    if device is None:
        raise DomainError(_("Aucune inscription en cours : rechargez la page pour obtenir un nouveau QR code."))
    if not device.verify_token(token.strip().replace(" ", "")):
        raise DomainError(
            _("Code incorrect. Saisissez les 6 chiffres affichés par l'application (vérifiez l'heure du téléphone).")
        )
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _recovery_codes_replace(user)
    _audit(actor=user, action="accounts.totp_enrolled", target=user, message=_("Double authentification activée"))
    return codes


@transaction.atomic
def recovery_codes_regenerate(*, user: User) -> list[str]:
    if not selectors.has_confirmed_totp(user):
        raise DomainError(_("Activez d'abord la double authentification."))
    codes = _recovery_codes_replace(user)
    _audit(actor=user, action="accounts.recovery_codes", target=user, message=_("Codes de secours régénérés"))
    return codes


def _recovery_codes_replace(user: User) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=selectors.RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def second_factor_match(*, user: User, token: str):
    """The device that accepts `token` (a TOTP code or a recovery code, consumed), or None.

    django-otp throttles each device after failures (growing delays), which stops guessing.
    """
    token = token.strip().replace(" ", "").lower()
    if not token:
        return None
    # Digits are a TOTP code, anything else a recovery code: a failure only slows down its own kind.
    model = TOTPDevice if token.isdigit() else StaticDevice
    for device in model.objects.filter(user=user, confirmed=True):
        if device.verify_is_allowed()[0] and device.verify_token(token):
            return device
    return None


# --- Single sign-on identities --------------------------------------------------------------


@transaction.atomic
def oidc_identity_resolve(*, issuer: str, claims: dict) -> OidcIdentity:
    """The identity of this (issuer, sub), created at the first login.

    A new identity is linked to the one active account with the same e-mail when the provider says
    the e-mail is verified; otherwise a new, inactive account waits for an administrator.
    """
    subject = str(claims["sub"])
    email = (claims.get("email") or "").strip()
    verified = claims.get("email_verified") is True
    identity = OidcIdentity.objects.filter(issuer=issuer, subject=subject).select_related("user").first()
    fields = {
        "email": email,
        "email_verified": verified,
        "given_name": (claims.get("given_name") or "")[:150],
        "family_name": (claims.get("family_name") or claims.get("usual_name") or "")[:150],
        "last_login_at": timezone.now(),
    }
    if identity is not None:
        for name, value in fields.items():
            setattr(identity, name, value)
        identity.save(update_fields=list(fields))
        return identity
    matches = list(User.objects.filter(email__iexact=email, is_active=True)[:2]) if email and verified else []
    if len(matches) == 1:
        identity = OidcIdentity.objects.create(
            user=matches[0], issuer=issuer, subject=subject, status=OidcIdentity.Status.LINKED, **fields
        )
        _audit(actor=matches[0], action="accounts.sso_linked", target=matches[0], message=_("Identité SSO liée"))
        return identity
    user = User.objects.create_user(
        username=_free_username(email or subject),
        email=email,
        first_name=fields["given_name"],
        last_name=fields["family_name"],
        is_active=False,
    )
    identity = OidcIdentity.objects.create(user=user, issuer=issuer, subject=subject, **fields)
    _audit(actor=None, action="accounts.sso_pending", target=user, message=_("Compte SSO en attente de validation"))
    return identity


def _free_username(seed: str) -> str:
    base = slugify(seed.split("@")[0]).replace("-", ".")[:140] or "agent"
    candidate, n = base, 1
    while User.objects.filter(username=candidate).exists():
        n += 1
        candidate = f"{base}.{n}"
    return candidate


@transaction.atomic
def oidc_identity_approve(*, actor: User, identity: OidcIdentity, organisation: Organisation, role: str) -> None:
    """Open the account: activate it and give it a role in `organisation`."""
    if identity.status != OidcIdentity.Status.PENDING:
        raise DomainError(_("Cette identité a déjà été traitée."))
    if role not in Membership.Role.values:
        raise DomainError(_("Rôle inconnu."))
    user = identity.user
    user.is_active = True
    user.save(update_fields=["is_active"])
    Membership.objects.get_or_create(user=user, organisation=organisation, defaults={"role": role})
    identity.status = OidcIdentity.Status.LINKED
    identity.decided_by, identity.decided_at = actor, timezone.now()
    identity.save(update_fields=["status", "decided_by", "decided_at"])
    _audit(
        actor=actor,
        action="accounts.sso_approved",
        target=user,
        organisation=organisation,
        message=_("Accès SSO accordé"),
        data={"role": role},
    )


@transaction.atomic
def oidc_identity_reject(*, actor: User, identity: OidcIdentity) -> None:
    if identity.status != OidcIdentity.Status.PENDING:
        raise DomainError(_("Cette identité a déjà été traitée."))
    identity.status = OidcIdentity.Status.REJECTED
    identity.decided_by, identity.decided_at = actor, timezone.now()
    identity.save(update_fields=["status", "decided_by", "decided_at"])
    _audit(actor=actor, action="accounts.sso_rejected", target=identity.user, message=_("Accès SSO refusé"))


# --- Pending identities, decided by an organisation's administrator (« Identités en attente ») --------


def _require_identities(access) -> None:
    if not access.has("accounts.identities") or access.organisation is None:
        raise PermissionRefused(_("Seul un administrateur de la collectivité peut valider les identités."))


def _pending_locked(identity: OidcIdentity) -> OidcIdentity:
    current = OidcIdentity.objects.select_for_update().select_related("user").filter(pk=identity.pk).first()
    if current is None or current.status != OidcIdentity.Status.PENDING:
        raise DomainError(_("Cette identité a déjà été traitée."))
    return current


@transaction.atomic
def oidc_identity_grant(*, access, identity: OidcIdentity, role: str) -> User:
    """Open the pending account with `role` in the administrator's organisation (the only one he may
    give access to)."""
    _require_identities(access)
    current = _pending_locked(identity)
    oidc_identity_approve(actor=access.user, identity=current, organisation=access.organisation, role=role)
    return current.user


@transaction.atomic
def oidc_identity_link(*, access, identity: OidcIdentity, user: User) -> User:
    """Tie the pending identity to an existing account of the administrator's organisation: from now on
    the person signs in through the provider as that account. Refused for an account that also belongs
    to another organisation, or for staff (the administrator would hand out rights he does not hold)."""
    _require_identities(access)
    current = _pending_locked(identity)
    if user.pk not in set(selectors.linkable_accounts(access).values_list("pk", flat=True)):
        raise PermissionRefused(_("Ce compte ne peut pas être lié : il n'appartient pas qu'à votre collectivité."))
    placeholder = current.user
    current.user = user
    current.status = OidcIdentity.Status.LINKED
    current.decided_by, current.decided_at = access.user, timezone.now()
    current.save(update_fields=["user", "status", "decided_by", "decided_at"])
    if placeholder.pk != user.pk and not placeholder.is_active and not placeholder.oidc_identities.exists():
        if not placeholder.memberships.exists() and placeholder.last_login is None:
            placeholder.delete()  # the account made while waiting: never used, nothing refers to it
    _audit(
        actor=access.user,
        action="accounts.sso_linked_by_admin",
        target=user,
        organisation=access.organisation,
        message=_("Identité SSO liée au compte %(username)s") % {"username": user.username},
        data={"issuer": current.issuer, "email": current.email},
    )
    return user


def oidc_identity_refuse(*, access, identity: OidcIdentity) -> None:
    """Reject a pending identity from the administrators' page (audited by `oidc_identity_reject`)."""
    _require_identities(access)
    with transaction.atomic():
        oidc_identity_reject(actor=access.user, identity=_pending_locked(identity))
