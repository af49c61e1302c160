"""Reads about accounts: who counts as an administrator, which second factors a user has."""

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


RECOVERY_DEVICE_NAME = "codes-de-secours"
