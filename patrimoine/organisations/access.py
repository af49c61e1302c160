"""The request-scoped access context: who acts, for which organisation, with which role.

Built once per request by `AccessScopeMiddleware` from the user's memberships and the organisation
chosen in the session. Everything that reads or writes tenant data takes an `Access`:
- `read_org_ids` is the django-scopes scope: the default managers of tenant models filter on it;
- `write_org_ids` is where the user may change things (the consolidated view is read only);
- `can(action, obj)` combines the role table with the object's organisation.
"""

from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from patrimoine.core.errors import PermissionRefused
from patrimoine.organisations.models import Membership, Organisation, Team
from patrimoine.organisations.permissions import CONSOLIDATED_ROLES, ROLE_ACTIONS, TEAM_ROLES

SESSION_KEY = "active_organisation_id"


@dataclass(frozen=True)
class Access:
    user: object | None
    organisation: Organisation | None = None
    role: str | None = None
    read_org_ids: frozenset[int] = frozenset()
    write_org_ids: frozenset[int] = frozenset()
    team_ids: frozenset = frozenset()
    contractor_id: object | None = None
    memberships: tuple[Membership, ...] = field(default=(), compare=False)

    @property
    def is_authenticated(self) -> bool:
        return self.user is not None and self.organisation is not None

    @property
    def role_label(self) -> str:
        return str(dict(Membership.Role.choices).get(self.role, "")) if self.role else ""

    @property
    def consolidated(self) -> bool:
        return self.read_org_ids != self.write_org_ids

    def has(self, action: str) -> bool:
        return self.role is not None and action in ROLE_ACTIONS.get(self.role, frozenset())

    def can(self, action: str, obj=None) -> bool:
        """True when the role has `action` and, for an object, it lies where the user may act."""
        if not self.has(action):
            return False
        if obj is None:
            return True
        org_id = getattr(obj, "organisation_id", None)
        allowed = self.read_org_ids if action.endswith(".view") or action.endswith(".view_all") else self.write_org_ids
        return org_id in allowed

    def require(self, action: str, obj=None) -> None:
        if not self.can(action, obj):
            raise PermissionRefused(_("Votre rôle ne permet pas cette action ici."))


ANONYMOUS = Access(user=None)


def access_for_user(user, organisation_id: int | None = None) -> Access:
    """Build the access context of `user`, acting for `organisation_id` (or their first membership)."""
    if user is None or not user.is_authenticated:
        return ANONYMOUS
    memberships = tuple(
        Membership.objects.filter(user=user, is_active=True, organisation__is_active=True)
        .select_related("organisation")
        .order_by("organisation__name")
    )
    if not memberships:
        return Access(user=user)
    active = next((m for m in memberships if m.organisation_id == organisation_id), memberships[0])
    org = active.organisation
    write = {org.pk}
    read = {org.pk}
    team_ids: set = set()
    if active.role in TEAM_ROLES:
        with scopes_disabled():
            # His teams (member or lead) and the communes each serves, in one query: every request pays it.
            rows = (
                Team.objects.filter(Q(members__user=user) | Q(lead=user), organisation=org)
                .order_by()
                .values_list("pk", "served_organisations__pk")
                .distinct()
            )
            for team_id, served_id in rows:
                team_ids.add(team_id)
                if served_id is not None:
                    write.add(served_id)
                    read.add(served_id)
    if active.role in CONSOLIDATED_ROLES and org.kind == Organisation.Kind.EPCI:
        read |= set(org.members.filter(is_active=True).values_list("pk", flat=True))
    return Access(
        user=user,
        organisation=org,
        role=active.role,
        read_org_ids=frozenset(read),
        write_org_ids=frozenset(write),
        team_ids=frozenset(team_ids),
        contractor_id=active.contractor_id,
        memberships=memberships,
    )
