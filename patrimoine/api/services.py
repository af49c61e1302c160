"""Writes on personal API tokens: create (the secret is returned once), revoke, and the lookup of a
presented secret (which records when the token was last used)."""

import datetime as dt
import hashlib
import secrets
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from patrimoine.api.models import ApiToken
from patrimoine.core.errors import DomainError, PermissionRefused
from patrimoine.core.services import audit_record
from patrimoine.organisations.access import Access

SECRET_PREFIX = "pat_"
MAX_DAYS = 366
PARIS = ZoneInfo("Europe/Paris")


class TokenRefused(Exception):
    """The presented secret does not open the API; `str()` says why, in French."""


def token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


@transaction.atomic
def api_token_create(*, access: Access, name: str, scope: str, expires_on: dt.date) -> tuple[ApiToken, str]:
    """A new token of the acting user for their active organisation; returns it with its secret."""
    if not access.is_authenticated:
        raise PermissionRefused(_("Connectez-vous à une collectivité pour créer un jeton."))
    name = (name or "").strip()[:80]
    if not name:
        raise DomainError(_("Donnez un nom au jeton (par exemple l'outil qui l'utilise)."))
    if scope not in ApiToken.Scope.values:
        raise DomainError(_("Choisissez les droits du jeton."))
    today = timezone.localdate()
    if expires_on <= today:
        raise DomainError(_("La date d'expiration doit être dans le futur."))
    if expires_on > today + dt.timedelta(days=MAX_DAYS):
        raise DomainError(_("Un jeton vaut au plus un an : choisissez une date plus proche."))
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=access.user,
        organisation=access.organisation,
        name=name,
        prefix=secret[:12],
        key_hash=token_digest(secret),
        scope=scope,
        # Valid through the chosen day, Paris time.
        expires_at=dt.datetime.combine(expires_on + dt.timedelta(days=1), dt.time.min, tzinfo=PARIS),
    )
    audit_record(
        actor=access.user,
        action="api_token.create",
        target=token,
        organisation=access.organisation,
        message=f"{token.name} ({token.get_scope_display()})",
    )
    return token, secret


@transaction.atomic
def api_token_revoke(*, access: Access, token: ApiToken) -> ApiToken:
    """Revoke one of the acting user's own tokens (at once and for good)."""
    if token.user_id != getattr(access.user, "pk", None):
        raise PermissionRefused(_("Ce jeton n'est pas le vôtre."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            actor=access.user,
            action="api_token.revoke",
            target=token,
            organisation=token.organisation,
            message=token.name,
        )
    return token


def api_token_authenticate(secret: str) -> ApiToken:
    """The token behind `secret`, if it is valid now; else TokenRefused with the reason."""
    if not secret or len(secret) > 200 or not secret.startswith(SECRET_PREFIX):
        raise TokenRefused(_("Jeton d'API invalide."))
    token = ApiToken.objects.select_related("user").filter(key_hash=token_digest(secret)).first()
    if token is None or not token.user.is_active:
        raise TokenRefused(_("Jeton d'API invalide."))
    if token.revoked_at is not None:
        raise TokenRefused(_("Ce jeton d'API a été révoqué."))
    now = timezone.now()
    if token.expires_at <= now:
        raise TokenRefused(_("Ce jeton d'API a expiré : créez-en un nouveau."))
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
