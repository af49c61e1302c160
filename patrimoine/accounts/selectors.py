"""Reads about accounts: who counts as an administrator, which second factors a user has."""

from django.db.models import Exists, OuterRef
from django.http import Http404
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from patrimoine.accounts.models import OidcIdentity, User
from patrimoine.organisations.models import Membership


def is_administrator(user: User) -> bool:
    """Staff, superusers and anyone holding the « administrateur » role in an organisation."""
    if user.is_staff or user.is_superuser:
        return True
    return Membership.objects.filter(user=user, role=Membership.Role.ADMIN, is_active=True).exists()


def has_confirmed_totp(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_totp_device(user: User) -> TOTPDevice | None:
    """The TOTP device being enrolled (shown as a QR code, not yet confirmed by a code)."""
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


def recovery_codes_left(user: User) -> int:
    device = StaticDevice.objects.filter(user=user, name=RECOVERY_DEVICE_NAME).first()
    return device.token_set.count() if device else 0


def pending_identities():
    return OidcIdentity.objects.filter(status=OidcIdentity.Status.PENDING).select_related("user")


def get_pending_identity_for(access, pk) -> OidcIdentity:
    """A pending identity, for an administrator (404 otherwise: decided ones are no longer his to touch)."""
    if not access.has("accounts.identities"):
        raise Http404
    try:
        return pending_identities().get(pk=pk)
    except (OidcIdentity.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def linkable_accounts(access):
    """Accounts an administrator may tie an identity to: active, of his organisation and of no other
    (linking hands the account over to whoever holds the identity), never staff."""
    if not access.has("accounts.identities") or access.organisation is None:
        return User.objects.none()
    elsewhere = Membership.objects.filter(user=OuterRef("pk")).exclude(organisation_id__in=access.write_org_ids)
    return (
        User.objects.filter(is_active=True, is_staff=False, is_superuser=False)
        .filter(memberships__organisation=access.organisation, memberships__is_active=True)
        .exclude(Exists(elsewhere))
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


RECOVERY_DEVICE_NAME = "codes-de-secours"
