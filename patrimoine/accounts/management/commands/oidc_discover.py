"""Read a provider's discovery document and print the OIDC_* environment lines for this instance."""

import requests
from django.core.management.base import BaseCommand, CommandError

FIELDS = {
    "OIDC_ISSUER": "issuer",
    "OIDC_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_USERINFO_ENDPOINT": "userinfo_endpoint",
    "OIDC_JWKS_ENDPOINT": "jwks_uri",
    "OIDC_END_SESSION_ENDPOINT": "end_session_endpoint",
}


class Command(BaseCommand):
    help = "Affiche les variables OIDC_* à partir du document de découverte d'un fournisseur OpenID Connect."

    def add_arguments(self, parser):
        parser.add_argument("issuer", help="l'issuer du fournisseur, ex. https://auth.agentconnect.gouv.fr/api/v2")
        parser.add_argument(
            "--citoyens",
            action="store_true",
            help="pour la connexion des citoyens au portail (variables CITIZEN_OIDC_*), pas celle des agents",
        )

    def handle(self, *args, issuer, citoyens=False, **options):
        prefix = "CITIZEN_" if citoyens else ""
        url = issuer.rstrip("/") + "/.well-known/openid-configuration"
        try:
            response = requests.get(url, timeout=10)
            response.raise_for_status()
            document = response.json()
        except (requests.RequestException, ValueError) as error:
            raise CommandError(f"Document de découverte illisible ({url}) : {error}") from error
        if document.get("issuer") != issuer.rstrip("/") and document.get("issuer") != issuer:
            raise CommandError(f"L'issuer annoncé ({document.get('issuer')}) ne correspond pas à {issuer}.")
        if "S256" not in document.get("code_challenge_methods_supported", ["S256"]):
            self.stderr.write("Attention : le fournisseur n'annonce pas PKCE S256.")
        for variable, key in FIELDS.items():
            if document.get(key):
                self.stdout.write(f"{prefix}{variable}={document[key]}")
        self.stdout.write(f"{prefix}OIDC_CLIENT_ID=…\n{prefix}OIDC_CLIENT_SECRET=…")
