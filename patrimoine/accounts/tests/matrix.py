"""The accounts' part of the tenant isolation matrix (patrimoine/core/tests/test_isolation_matrix.py).

Single sign-on identities are not tenant data, but an identity linked to a Venansault account is
Venansault's: nobody else may decide it again (relink it, that is take the account over). The matrix
walks the decision URLs with it; a pending identity (nobody's yet) fills the « Identités en attente »
page of the every-page audit."""

from django_scopes import scopes_disabled

from patrimoine.accounts.models import OidcIdentity, User

ISSUER = "https://identite.example.org"


@scopes_disabled()
def venansault_identity(o: dict, secret: str) -> OidcIdentity:
    OidcIdentity.objects.create(
        user=User.objects.create_user(username="en.attente", email="en.attente@example.org", is_active=False),
        issuer=ISSUER,
        subject="en-attente",
        email="en.attente@example.org",
        given_name="Camille",
        family_name="Attente",
    )
    return OidcIdentity.objects.create(
        user=o["v_chef"],
        issuer=ISSUER,
        subject=f"chef-{secret}",
        email=f"chef.{secret.lower()}@example.org",
        email_verified=True,
        status=OidcIdentity.Status.LINKED,
    )
