"""« Identités en attente »: an organisation's administrator decides the single sign-on identities
that waited for approval — opens the account with a role in his organisation, ties the identity to an
account of his organisation only, or refuses it. Every decision is audited."""

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from conftest import access_of
from patrimoine.accounts import services
from patrimoine.accounts.models import OidcIdentity, User
from patrimoine.core.errors import DomainError, PermissionRefused
from patrimoine.core.models import AuditEntry
from patrimoine.organisations.models import Membership

pytestmark = pytest.mark.django_db
Role = Membership.Role
ISSUER = "https://idp.example.org"
PAGE = "/compte/identites/"


@pytest.fixture
def world(f):
    epci, (nesmy, venansault) = f.epci_with_communes("Nesmy", "Venansault")
    admin = f.user("admin.nesmy", role=Role.ADMIN, organisation=nesmy)
    pending = services.oidc_identity_resolve(
        issuer=ISSUER,
        claims={"sub": "a1", "email": "camille@example.org", "email_verified": True, "given_name": "Camille"},
    )
    return {"nesmy": nesmy, "venansault": venansault, "epci": epci, "admin": admin, "pending": pending}


def _audit_actions() -> list[str]:
    with scopes_disabled():
        return list(AuditEntry.objects.order_by("pk").values_list("action", flat=True))


def _decided(identity) -> OidcIdentity:
    return OidcIdentity.objects.select_related("user").get(pk=identity.pk)


def test_admin_opens_the_account_with_a_role_in_his_organisation(world):
    access = access_of(world["admin"], world["nesmy"])
    user = services.oidc_identity_grant(access=access, identity=world["pending"], role=Role.TECHNICIAN)
    identity = _decided(world["pending"])
    assert identity.status == OidcIdentity.Status.LINKED and identity.decided_by == world["admin"]
    assert user.is_active and identity.user_id == user.pk
    assert list(Membership.objects.filter(user=user).values_list("organisation", "role")) == [
        (world["nesmy"].pk, Role.TECHNICIAN)
    ]
    assert _audit_actions()[-1] == "accounts.sso_approved"


def test_admin_ties_the_identity_to_an_account_of_his_organisation(f, world):
    camille = f.user("camille.m", role=Role.MANAGER, organisation=world["nesmy"], first_name="Camille")
    placeholder = world["pending"].user
    access = access_of(world["admin"], world["nesmy"])
    services.oidc_identity_link(access=access, identity=world["pending"], user=camille)
    identity = _decided(world["pending"])
    assert identity.user_id == camille.pk and identity.status == OidcIdentity.Status.LINKED
    assert not User.objects.filter(pk=placeholder.pk).exists()  # the waiting account, never used, is gone
    assert _audit_actions()[-1] == "accounts.sso_linked_by_admin"


@pytest.mark.parametrize("whose", ["venansault", "both", "staff"])
def test_no_admin_may_hand_over_an_account_that_is_not_only_his_organisations(f, world, whose):
    """Tying an identity to an account gives that account away: never one of another commune, one that
    also belongs elsewhere, or an instance's staff account."""
    if whose == "venansault":
        target = f.user("chef.venansault", role=Role.TEAM_LEAD, organisation=world["venansault"])
    elif whose == "both":
        target = f.user("agent.deux", role=Role.TECHNICIAN, organisation=world["nesmy"])
        Membership.objects.create(user=target, organisation=world["venansault"], role=Role.READER)
    else:
        target = f.user("exploitant", role=Role.READER, organisation=world["nesmy"], is_staff=True)
    access = access_of(world["admin"], world["nesmy"])
    before = _audit_actions()
    with pytest.raises(PermissionRefused):
        services.oidc_identity_link(access=access, identity=world["pending"], user=target)
    identity = _decided(world["pending"])
    assert identity.status == OidcIdentity.Status.PENDING and identity.user_id == world["pending"].user_id
    assert _audit_actions() == before


def test_admin_refuses_an_identity(world):
    services.oidc_identity_refuse(access=access_of(world["admin"], world["nesmy"]), identity=world["pending"])
    identity = _decided(world["pending"])
    assert identity.status == OidcIdentity.Status.REJECTED and not identity.user.is_active
    assert _audit_actions()[-1] == "accounts.sso_rejected"
    with pytest.raises(DomainError):  # decided once: nobody decides it again
        services.oidc_identity_grant(access=access_of(world["admin"]), identity=world["pending"], role=Role.ADMIN)


@pytest.mark.parametrize("role", [r for r in Role if r != Role.ADMIN])
def test_only_administrators_decide(f, world, role):
    user = f.user(f"{role}.nesmy", role=role, organisation=world["nesmy"])
    access = access_of(user)
    with pytest.raises(PermissionRefused):
        services.oidc_identity_grant(access=access, identity=world["pending"], role=Role.ADMIN)
    with pytest.raises(PermissionRefused):
        services.oidc_identity_refuse(access=access, identity=world["pending"])
    assert _decided(world["pending"]).status == OidcIdentity.Status.PENDING


def test_the_page_lists_pending_identities_and_decides_them(f, world, login):
    f.user("camille.m", role=Role.MANAGER, organisation=world["nesmy"])
    f.user("chef.venansault", role=Role.TEAM_LEAD, organisation=world["venansault"])
    client = login(world["admin"], world["nesmy"])
    page = client.get(PAGE).content.decode()
    assert "camille@example.org" in page and "vérifié par le fournisseur" in page
    assert "camille.m" in page and "chef.venansault" not in page  # only his organisation's accounts to link
    assert "Identités en attente" in client.get("/").content.decode()  # in the navigation
    url = reverse("accounts:identity-approve", args=[world["pending"].pk])
    pk = world["pending"].pk
    response = client.post(url, {"decision": "creer", f"g{pk}-role": Role.READER})
    assert response.status_code == 302
    assert "camille@example.org" not in client.get(PAGE).content.decode()
    assert client.post(url, {"decision": "creer", f"g{pk}-role": Role.ADMIN}).status_code == 404  # decided
    assert Membership.objects.get(user=_decided(world["pending"]).user).role == Role.READER


def test_the_page_refuses_linking_to_another_communes_account(f, world, login):
    target = f.user("chef.venansault", role=Role.TEAM_LEAD, organisation=world["venansault"])
    client = login(world["admin"], world["nesmy"])
    pk = world["pending"].pk
    response = client.post(
        reverse("accounts:identity-approve", args=[pk]), {"decision": "lier", f"l{pk}-account": target.pk}
    )
    assert response.status_code == 400  # not one of the choices offered
    assert _decided(world["pending"]).status == OidcIdentity.Status.PENDING


def test_other_roles_get_403_and_change_nothing(f, world, login):
    client = login(f.user("gestionnaire.nesmy", role=Role.MANAGER, organisation=world["nesmy"]))
    pk = world["pending"].pk
    assert client.get(PAGE).status_code == 403
    assert client.post(reverse("accounts:identity-reject", args=[pk])).status_code == 404
    assert _decided(world["pending"]).status == OidcIdentity.Status.PENDING
