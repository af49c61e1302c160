"""The real OpenID Connect provider of the tests (a pytest plugin, loaded by the root conftest.py):
tools/oidc-provider (npm `oidc-provider`, installed by `make oidc-provider`, which `make test` runs),
started once per test session on 127.0.0.1 by Node, with two clients: the agents' single sign-on
(accounts, /compte/sso/retour/) and the citizens' optional sign-in (portal, /signaler/connexion/retour/)."""

import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

PROVIDER_DIR = Path(__file__).resolve().parents[2] / "tools" / "oidc-provider"
CLIENT_ID, CLIENT_SECRET = "patrimoine", "secret-de-test-patrimoine"
CITIZEN_CLIENT_ID, CITIZEN_CLIENT_SECRET = "patrimoine-citoyens", "secret-de-test-citoyens"


@dataclass
class Provider:
    issuer: str
    log: Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def oidc_provider(live_server, tmp_path_factory):
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node.js est introuvable : installez le paquet Debian « nodejs » (le fournisseur OIDC de test).")
    if not (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
        pytest.fail(f"oidc-provider n'est pas installé : lancez `make oidc-provider` (npm ci dans {PROVIDER_DIR}).")
    port = _free_port()
    issuer = f"http://127.0.0.1:{port}"
    log = tmp_path_factory.mktemp("oidc") / "provider.log"
    args = [
        node,
        str(PROVIDER_DIR / "server.js"),
        str(port),
        f"{live_server.url}/compte/sso/retour/",
        f"{live_server.url}/compte/connexion/",
        f"{live_server.url}/signaler/connexion/retour/",
        f"{live_server.url}/signaler/deconnexion/",
    ]
    with log.open("w") as out:
        process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, cwd=PROVIDER_DIR)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if requests.get(f"{issuer}/.well-known/openid-configuration", timeout=1).ok:
                    break
            except requests.ConnectionError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"Le fournisseur OIDC de test n'a pas démarré :\n{log.read_text()}")
            time.sleep(0.1)
        yield Provider(issuer=issuer, log=log)
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def citizen_sso(settings, oidc_provider):
    """Turn the citizens' optional sign-in on, pointed at the test provider (as CITIZEN_OIDC_* would)."""
    issuer = oidc_provider.issuer
    settings.CITIZEN_OIDC_ENABLED = True
    settings.CITIZEN_OIDC_CLIENT_ID = CITIZEN_CLIENT_ID
    settings.CITIZEN_OIDC_CLIENT_SECRET = CITIZEN_CLIENT_SECRET
    settings.CITIZEN_OIDC_ISSUER = issuer
    settings.CITIZEN_OIDC_AUTHORIZATION_ENDPOINT = f"{issuer}/auth"
    settings.CITIZEN_OIDC_TOKEN_ENDPOINT = f"{issuer}/token"
    settings.CITIZEN_OIDC_USERINFO_ENDPOINT = f"{issuer}/me"
    settings.CITIZEN_OIDC_JWKS_ENDPOINT = f"{issuer}/jwks"
    settings.CITIZEN_OIDC_END_SESSION_ENDPOINT = f"{issuer}/session/end"
    settings.CITIZEN_OIDC_SCOPES = "openid email profile"  # the given name too, to greet the person
    settings.CITIZEN_OIDC_BUTTON_LABEL = "Identité citoyenne de test"
    settings.SECURE_CSP = {**settings.SECURE_CSP, "form-action": [*settings.SECURE_CSP["form-action"], issuer]}
    return oidc_provider
