"""What the isolation matrix needs to walk the portal's URLs with Venansault's objects.

The public portal of an organisation (`/signaler/<slug>/…`) is public by design: it is skipped here
and its isolation (one commune's portal never shows or changes another's reports) is tested in
test_portal.py. The tracking page takes the matrix's unknown token; the counter's pages take a
public report of Venansault's, the reply URL Venansault's work request."""

from django_scopes import scopes_disabled

from patrimoine.portal.models import PublicReport
from patrimoine.testing import factories


def venansault_report(o: dict, secret: str) -> PublicReport:
    with scopes_disabled():
        extra = factories.work_request(
            o["venansault"], building_obj=o["building"], description=f"Lampadaire {secret}", channel="guichet"
        )
        return PublicReport.objects.create(
            organisation=o["venansault"],
            work_request=extra,
            category="eclairage",
            contact_name=f"Personne {secret}",
            contact_phone="0200000000",
            contact_consent=True,
            preferred_channel=PublicReport.Channel.PHONE,
        )


def portal_kwargs(view: str, params: set[str], o: dict, secret: str) -> dict | None:
    if "org" in params:
        return None
    if "token" in params:
        return {"token": "jeton-inconnu"}
    if view == "reply":
        return {"pk": o["request"].pk}
    if "public_report" not in o:
        o["public_report"] = venansault_report(o, secret)
    return {"pk": o["public_report"].pk}


def venansault_citizen(o: dict, secret: str):
    """A citizen signed in through the citizen identity provider, who filed Venansault's public report."""
    from django.utils import timezone

    from patrimoine.portal.models import CitizenIdentity

    if "public_report" not in o:
        o["public_report"] = venansault_report(o, secret)
    identity = CitizenIdentity.objects.create(
        issuer="https://identite.example.fr",
        subject_hash=CitizenIdentity.hash_subject(f"citoyen-{secret}"),
        email="citoyenne@example.net",
        given_name="Citoyenne",
        last_login_at=timezone.now(),
    )
    with scopes_disabled():
        PublicReport.objects.filter(pk=o["public_report"].pk).update(citizen=identity)
    return identity


def sign_in_citizen(client, identity) -> None:
    """What the portal's sign-in leaves in the session: the identity's id, and no Django login."""
    from patrimoine.portal.citizen import SESSION_KEY

    session = client.session
    session[SESSION_KEY] = str(identity.pk)
    session.save()
