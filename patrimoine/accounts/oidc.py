"""Single sign-on with OpenID Connect, on top of mozilla-django-oidc.

The library runs the authorization code flow (PKCE S256, state, nonce, signature of the ID token
against the provider's JWKS, userinfo). Here: which account an identity opens
(`services.oidc_identity_resolve`), the issuer and audience checks the library leaves out, and the
provider's logout URL (RP-initiated logout).
"""

from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.urls import reverse
from django.utils.crypto import get_random_string
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from patrimoine.accounts import services

SESSION_OUTCOME = "oidc_outcome"  # why an SSO login did not open a session (shown on the login page)


class PatrimoineOIDCBackend(OIDCAuthenticationBackend):
    def authenticate(self, request, **kwargs):
        if not settings.OIDC_ENABLED or request is None or "nonce" not in kwargs:
            return None
        return super().authenticate(request, **kwargs)

    def verify_token(self, token, **kwargs):
        payload = super().verify_token(token, **kwargs)
        if "nonce" in kwargs:  # the ID token: issued by our provider, for us
            audience = payload.get("aud")
            audiences = audience if isinstance(audience, list) else [audience]
            if payload.get("iss") != settings.OIDC_OP_ISSUER or settings.OIDC_RP_CLIENT_ID not in audiences:
                raise SuspiciousOperation("ID token issuer or audience mismatch")
        return payload

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        if not claims.get("sub") or claims.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("userinfo sub differs from the ID token's")
        identity = services.oidc_identity_resolve(issuer=settings.OIDC_OP_ISSUER, claims=claims)
        self.request.session[SESSION_OUTCOME] = identity.status
        return identity.user

    def get_user(self, user_id):
        user = super().get_user(user_id)
        return user if user is not None and user.is_active else None


def provider_logout_url(request) -> str:
    """Where to send the browser after the local logout: the provider's end-session endpoint."""
    back = request.build_absolute_uri(reverse(settings.LOGOUT_REDIRECT_URL))
    id_token = request.session.get("oidc_id_token")
    if not (settings.OIDC_ENABLED and settings.OIDC_OP_LOGOUT_ENDPOINT and id_token):
        return reverse(settings.LOGOUT_REDIRECT_URL)
    query = urlencode({"id_token_hint": id_token, "post_logout_redirect_uri": back, "state": get_random_string(32)})
    return f"{settings.OIDC_OP_LOGOUT_ENDPOINT}?{query}"
