"""A real OpenID Connect provider for the SSO tests: tools/oidc-provider (npm `oidc-provider`,
installed by `make oidc-provider`, which `make test` runs), started on 127.0.0.1 by Node."""

import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

PROVIDER_DIR = Path(__file__).resolve().parents[3] / "tools" / "oidc-provider"
CLIENT_ID, CLIENT_SECRET = "patrimoine", "secret-de-test-patrimoine"


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
