"""The SSO tests use the real OpenID Connect provider of patrimoine/testing/oidc.py (a pytest plugin
loaded by the root conftest.py: one Node process per test session, for agents and citizens alike)."""

import pytest

from patrimoine.testing.oidc import CLIENT_ID, CLIENT_SECRET


@pytest.fixture
def sso(settings, oidc_provider):
    """Turn single sign-on on, pointed at the test provider (as the OIDC_* variables would)."""
    issuer = oidc_provider.issuer
    settings.OIDC_ENABLED = True
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_OP_ISSUER = issuer
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{issuer}/auth"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{issuer}/token"
    settings.OIDC_OP_USER_ENDPOINT = f"{issuer}/me"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{issuer}/jwks"
    settings.OIDC_OP_LOGOUT_ENDPOINT = f"{issuer}/session/end"
    settings.OIDC_BUTTON_LABEL = "Fédération de test"
    settings.SECURE_CSP = {**settings.SECURE_CSP, "form-action": [*settings.SECURE_CSP["form-action"], issuer]}
    return oidc_provider
