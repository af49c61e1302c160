"""Optional citizen sign-in through the citizen identity provider (FranceConnect-like), with authlib.

A second OpenID Connect client, separate from the agents' single sign-on (accounts/oidc.py): its own
client id, secret and endpoints (CITIZEN_OIDC_*), its own callback under the portal. authlib's Django
client runs the authorization code flow with PKCE (S256), state and nonce kept in the session, checks
the ID token's signature against the provider's JWKS, its issuer, audience, expiry and nonce. mozilla-
django-oidc (the agents' library) is not used here: its callback logs a Django `User` in, which a
citizen must never be.

The signed-in citizen is a `CitizenIdentity` id in the session (SESSION_KEY), nothing else: no User,
no Membership, so `request.user` stays anonymous and every back-office page stays closed.
"""

import logging
from functools import lru_cache

from authlib.integrations.django_client import OAuth, OAuthError
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.crypto import get_random_string
from joserfc.errors import JoseError
from requests import RequestException

from patrimoine.portal.models import CitizenIdentity

logger = logging.getLogger(__name__)

SESSION_KEY = "citizen_identity_id"
SESSION_ID_TOKEN = "citizen_id_token"  # kept for the id_token_hint of RP-initiated logout
SESSION_NEXT = "citizen_next"
SECRET_SIZE = 43  # state and nonce: at least 32 characters (FranceConnect's rule)


class SignInFailed(Exception):
    """The provider refused, the answer did not check out, or the provider did not answer."""


def enabled() -> bool:
    return settings.CITIZEN_OIDC_ENABLED


def _config() -> tuple:
    return (
        settings.CITIZEN_OIDC_CLIENT_ID,
        settings.CITIZEN_OIDC_CLIENT_SECRET,
        settings.CITIZEN_OIDC_ISSUER,
        settings.CITIZEN_OIDC_AUTHORIZATION_ENDPOINT,
        settings.CITIZEN_OIDC_TOKEN_ENDPOINT,
        settings.CITIZEN_OIDC_USERINFO_ENDPOINT,
        settings.CITIZEN_OIDC_JWKS_ENDPOINT,
        settings.CITIZEN_OIDC_END_SESSION_ENDPOINT,
        settings.CITIZEN_OIDC_SIGN_ALGO,
        settings.CITIZEN_OIDC_SCOPES,
        settings.CITIZEN_OIDC_TIMEOUT,
    )


@lru_cache(maxsize=4)
def _client(config: tuple):
    client_id, secret, issuer, authorize, token, userinfo, jwks, end_session, algo, scopes, timeout = config
    metadata = {
        "issuer": issuer,
        "userinfo_endpoint": userinfo,
        "jwks_uri": jwks,
        "id_token_signing_alg_values_supported": [algo],
    }
    if end_session:
        metadata["end_session_endpoint"] = end_session
    return OAuth().register(
        name="citizen",
        client_id=client_id,
        client_secret=secret,
        authorize_url=authorize,
        access_token_url=token,
        client_kwargs={
            "scope": scopes,
            "code_challenge_method": "S256",
            "token_endpoint_auth_method": "client_secret_post",
            "default_timeout": timeout,
        },
        **metadata,
    )


def client():
    """The authlib client for the current settings (cached; the JWKS is fetched once per client)."""
    return _client(_config())


def sign_in_redirect(request: HttpRequest, next_url: str):
    """Send the browser to the provider; state, nonce and the PKCE verifier stay in the session."""
    request.session[SESSION_NEXT] = next_url
    return client().authorize_redirect(
        request,
        request.build_absolute_uri(reverse("portal:citizen-callback")),
        state=get_random_string(SECRET_SIZE),
        nonce=get_random_string(SECRET_SIZE),
        **settings.CITIZEN_OIDC_EXTRA_AUTH_PARAMS,
    )


def sign_in_claims(request: HttpRequest) -> dict:
    """The checked claims of the provider's answer (ID token + userinfo), or SignInFailed."""
    oauth = client()
    options = {
        "iss": {"essential": True, "value": settings.CITIZEN_OIDC_ISSUER},
        "aud": {"essential": True, "value": settings.CITIZEN_OIDC_CLIENT_ID},
        "sub": {"essential": True},
    }
    try:
        token = oauth.authorize_access_token(request, claims_options=options)
        id_claims = token.get("userinfo")
        if not id_claims:
            raise SignInFailed("no ID token in the token response")
        claims = dict(oauth.userinfo(token=token))
    except (OAuthError, JoseError, RequestException, KeyError, ValueError) as error:
        logger.warning("Citizen sign-in failed: %s", error)
        raise SignInFailed(str(error)) from error
    if not claims.get("sub") or claims["sub"] != id_claims["sub"]:
        raise SignInFailed("userinfo sub differs from the ID token's")
    request.session[SESSION_ID_TOKEN] = token.get("id_token", "")
    return claims


def signed_in(request: HttpRequest, identity: CitizenIdentity) -> str:
    """Keep the identity in a fresh session (no fixation); return where the person was going."""
    next_url = request.session.pop(SESSION_NEXT, "") or reverse("portal:my-reports")
    request.session.cycle_key()
    request.session[SESSION_KEY] = str(identity.pk)
    request._citizen = identity
    return next_url


def current(request: HttpRequest) -> CitizenIdentity | None:
    """The citizen signed in on this browser, if any (cached on the request)."""
    if not hasattr(request, "_citizen"):
        identity_id = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
        identity = None
        if identity_id:
            identity = CitizenIdentity.objects.filter(pk=identity_id).first()
            if identity is None:  # deleted (retention, « oublier mon identité »): signed out
                request.session.pop(SESSION_KEY, None)
        request._citizen = identity
    return request._citizen


def sign_out(request: HttpRequest) -> str | None:
    """Forget the identity in this session; the provider's logout URL when it has one (RP-initiated)."""
    id_token = request.session.pop(SESSION_ID_TOKEN, "")
    request.session.pop(SESSION_KEY, None)
    request._citizen = None
    if not (enabled() and id_token and settings.CITIZEN_OIDC_END_SESSION_ENDPOINT):
        return None
    response = client().logout_redirect(
        request,
        post_logout_redirect_uri=request.build_absolute_uri(reverse("portal:citizen-sign-out")),
        id_token_hint=id_token,
        state=get_random_string(SECRET_SIZE),
    )
    return response.url


def signed_out_back(request: HttpRequest) -> None:
    """The provider sent the browser back after its logout: drop the state we left for it."""
    if enabled() and request.GET.get("state"):
        try:
            client().validate_logout_response(request)
        except OAuthError:
            pass  # an unknown state: nothing was pending, nothing to drop
