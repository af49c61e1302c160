"""The access of a visitor of the public portal: no account, one organisation, filing only.

`AccessScopeMiddleware` calls `public_access` for the portal's public paths (/signaler/<slug>/…,
/suivi/<token>/): the tenancy scope is then that one organisation, whoever the visitor is.
"""

from django_scopes import scopes_disabled

from patrimoine.organisations.access import Access
from patrimoine.organisations.models import Organisation
from patrimoine.organisations.permissions import PUBLIC_ROLE

NOBODY = Access(user=None, role=PUBLIC_ROLE)
# /signaler/<word>/ pages of the signed-in citizen, not an organisation's portal: they see no
# organisation (« Mes signalements » reads the citizen's own reports, portal/selectors.py).
CITIZEN_WORDS = frozenset({"connexion", "deconnexion", "mes-signalements"})


def public_access_for(organisation: Organisation) -> Access:
    ids = frozenset({organisation.pk})
    return Access(user=None, organisation=organisation, role=PUBLIC_ROLE, read_org_ids=ids, write_org_ids=ids)


def public_access(path: str) -> Access:
    """The public access for a portal path, or one that sees nothing (the view then answers 404)."""
    key = path[len("/signaler/") :].split("/", 1)[0] if path.startswith("/signaler/") else ""
    if key in CITIZEN_WORDS:
        return NOBODY
    if key:
        organisation = Organisation.objects.filter(slug=key, is_active=True).first()
        return public_access_for(organisation) if organisation is not None else NOBODY
    if path.startswith("/suivi/"):
        token = path[len("/suivi/") :].split("/", 1)[0]
        from patrimoine.portal.models import PublicReport

        with scopes_disabled():
            organisation_id = (
                PublicReport.objects.filter(token=token, organisation__is_active=True)
                .values_list("organisation_id", flat=True)
                .first()
                if token
                else None
            )
        if organisation_id is not None:
            return public_access_for(Organisation.objects.get(pk=organisation_id))
    return NOBODY
