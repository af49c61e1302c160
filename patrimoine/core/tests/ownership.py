"""The world of the ownership matrix (test_ownership_matrix.py), and what the declared tables say of it.

On top of the isolation matrix's world (two communes of one EPCI, Nesmy's users of every role, the
EPCI's shared team serving Nesmy, Venansault's data), Nesmy gets two teams (A: its lead and technician;
B) and two companies (A: its contractor user's; B), and the EPCI a second shared team, « Régie Sud »,
serving Venansault only. Work orders are made for each ownership case, in both communes: own team,
other team of the same commune, named technician, own company, other company, the shared team serving
the commune, a shared team NOT serving it, nobody yet. Each carries a checklist point, a time entry, a
PDF, a signed report, a request answered by it (with a photo) and a validated twin for the exports.

The expectations are computed from plain facts stated here (who is in which team, which company,
which organisations each user reads and acts for) and the tables of organisations/permissions.py —
never from the code under test.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django_scopes import scopes_disabled

from patrimoine.costs.models import TimeEntry
from patrimoine.documents.models import Document
from patrimoine.intake.models import WorkRequest
from patrimoine.organisations.models import Membership, Team
from patrimoine.organisations.permissions import (
    DOCUMENT_READERS,
    ROLE_ACTIONS,
    WORK_ORDER_OWNERSHIP,
    WORK_REQUEST_OWNERSHIP,
    Owns,
)
from patrimoine.workorders.models import ChecklistItem, InterventionReport, WorkOrder

Role = Membership.Role
MARK = "Qorvex"  # in every title of the ownership world: a page shows an order when it shows "Qorvex-<key>-"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde\x00\x00"
    b"\x00\x0cIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


@dataclass
class Actor:
    """A user and the facts the expectations are computed from."""

    key: str
    user: object
    role: str
    organisation: str  # key of the organisation he acts for
    reads: frozenset[str]  # organisations in his read scope
    writes: frozenset[str]  # organisations where he acts
    teams: frozenset[str] = frozenset()
    company: str | None = None


@dataclass
class Case:
    """One work order of the world, its facts, and what hangs on it."""

    key: str
    organisation: str
    team: str | None = None
    company: str | None = None
    named: frozenset[str] = frozenset()  # actor keys named on the order
    order: WorkOrder | None = None
    twin: WorkOrder | None = None  # validated, same ownership: for the exports
    checklist: ChecklistItem | None = None
    time_entry: TimeEntry | None = None
    document: Document | None = None
    request: WorkRequest | None = None
    photo: Document | None = None
    filed_by: str | None = None  # actor key of the request's requester

    @property
    def title(self) -> str:
        return f"{MARK}-{self.key}-"

    @property
    def building_mark(self) -> str:  # the order's building: shows in cost exports through its validated twin
        return f"{MARK}B-{self.key}-"

    @property
    def request_mark(self) -> str:
        return f"{MARK}R-{self.key}-"


@dataclass
class OwnershipWorld:
    actors: dict[str, Actor]
    cases: dict[str, Case]
    orgs: dict[str, object]
    base: object  # the isolation matrix's World
    requests_alone: dict[str, tuple[WorkRequest, str, str | None]] = field(default_factory=dict)


# --- Expectations from the declared tables ---------------------------------------------------------


def order_relations(actor: Actor, case: Case) -> set[str]:
    relations = {Owns.SCOPE}
    if case.organisation == actor.organisation:
        relations.add(Owns.HOME)
    if case.team is not None and case.team in actor.teams:
        relations.add(Owns.TEAM)
    if actor.key in case.named:
        relations.add(Owns.NAMED)
    if case.company is not None and case.company == actor.company:
        relations.add(Owns.CONTRACTOR)
    if case.team is None and case.company is None and actor.teams and case.organisation in actor.writes:
        relations.add(Owns.UNTAKEN)
    return relations


def order_allowed(actor: Actor, case: Case, action: str) -> bool:
    """Does the declared table let `actor` do `action` (workorders.view|plan|report|validate) on the case?"""
    if action not in ROLE_ACTIONS.get(actor.role, ()):
        return False
    mode = "read" if action == "workorders.view" else "act"
    if case.organisation not in (actor.reads if mode == "read" else actor.writes):
        return False
    return bool(order_relations(actor, case) & WORK_ORDER_OWNERSHIP.get(actor.role, {}).get(mode, frozenset()))


def request_allowed(actor: Actor, organisation: str, filed_by: str | None, action: str) -> bool:
    actions = ROLE_ACTIONS.get(actor.role, ())
    if action == "read":
        if "intake.view_all" not in actions and "intake.create" not in actions:
            return False
        mode, orgs = "read", actor.reads
    else:
        if action not in actions:
            return False
        mode, orgs = "act", actor.writes
    if organisation not in orgs:
        return False
    relations = {Owns.SCOPE} | ({Owns.FILED} if filed_by == actor.key else set())
    return bool(relations & WORK_REQUEST_OWNERSHIP.get(actor.role, {}).get(mode, frozenset()))


def photo_allowed(actor: Actor, case: Case) -> bool:
    """A request's photo: DOCUMENT_READERS says who besides the request's readers."""
    readers = DOCUMENT_READERS["intake.workrequest"]
    if "intake.workrequest" in readers and request_allowed(actor, case.organisation, case.filed_by, "read"):
        return True
    return Owns.ANSWERED in readers and order_allowed(actor, case, "workorders.view")


def line_removal_allowed(actor: Actor, case: Case) -> bool:
    """The case's time entry (recorded for the team's technician, entered by nobody in particular)."""
    if order_allowed(actor, case, "workorders.plan") or order_allowed(actor, case, "workorders.validate"):
        return True
    return order_allowed(actor, case, "workorders.report") and case.time_entry.technician_id == actor.user.pk


# --- The world -------------------------------------------------------------------------------------


def _attach(org, target, name: str, content: bytes, mime: str, kind: str) -> Document:
    document = Document(
        organisation=org,
        content_type=ContentType.objects.get_for_model(target),
        object_id=target.pk,
        kind=kind,
        title=name,
        original_name=name,
        mime_type=mime,
        size=len(content),
    )
    document.file.save(name, ContentFile(content), save=False)
    document.save()
    return document


def build(f, base) -> OwnershipWorld:
    """The ownership world on top of the isolation matrix's `base` world."""
    from patrimoine.core.tests.test_isolation_matrix import SECRET  # noqa: F401 — same data, other marker

    o, users = base.objects, base.users
    epci, nesmy, venansault = o["epci"], o["nesmy"], o["venansault"]
    orgs = {"epci": epci, "nesmy": nesmy, "venansault": venansault}
    chef_sud = f.user("chef.sud", role=Role.TEAM_LEAD, organisation=epci)
    tech_sud = f.user("technicien.sud", role=Role.TECHNICIAN, organisation=epci)
    tech_b = f.user("technicien.b.nesmy", role=Role.TECHNICIAN, organisation=nesmy)
    with scopes_disabled():
        shared = Team.objects.get(organisation=epci, name="Régie mutualisée")
        v_team = Team.objects.get(pk=o["order"].team_id)
    teams = {
        "a": f.team(nesmy, "Équipe A", lead=users["chef.nesmy"], members=[users["technicien.nesmy"]]),
        "b": f.team(nesmy, "Équipe B", members=[tech_b]),
        "shared": shared,
        "sud": f.team(epci, "Régie Sud", lead=chef_sud, members=[tech_sud], serves=[venansault]),
        "v": v_team,
    }
    companies = {
        "a": f.contractor(nesmy, "Entreprise A"),
        "b": f.contractor(nesmy, "Entreprise B"),
        "v": o["order"].contractor,
    }
    with scopes_disabled():
        Membership.objects.filter(user=users["prestataire.nesmy"]).update(contractor=companies["a"])

    n, v, e = "nesmy", "venansault", "epci"
    actors = {}

    def actor(key, user, role, org, reads, writes, teams_=(), company=None):
        actors[key] = Actor(key, user, role, org, frozenset(reads), frozenset(writes), frozenset(teams_), company)

    for role in Role:
        key = f"{role.value}.nesmy"
        team_keys = {"chef.nesmy": ["a"], "technicien.nesmy": ["a"]}.get(key, [])
        actor(key, users[key], role, n, [n], [n], team_keys, "a" if role == Role.CONTRACTOR else None)
    actor("technicien.b.nesmy", tech_b, Role.TECHNICIAN, n, [n], [n], ["b"])
    actor("chef.epci", users["chef.epci"], Role.TEAM_LEAD, e, [e, n], [e, n], ["shared"])
    actor("technicien.epci", users["technicien.epci"], Role.TECHNICIAN, e, [e, n], [e, n], ["shared"])
    actor("chef.sud", chef_sud, Role.TEAM_LEAD, e, [e, v], [e, v], ["sud"])
    actor("technicien.sud", tech_sud, Role.TECHNICIAN, e, [e, v], [e, v], ["sud"])
    actor("admin.epci", users["admin.epci"], Role.ADMIN, e, [e, n, v], [e])
    actor("lecteur.epci", users["lecteur.epci"], Role.READER, e, [e, n, v], [e])
    # Venansault's team also serves a neighbouring commune (the charge-back part of the isolation world).
    with scopes_disabled():
        orgs["voisine"] = v_team.served_organisations.get()
    actor("chef.venansault", o["v_chef"], Role.TEAM_LEAD, v, [v, "voisine"], [v, "voisine"], ["v"])

    cases = {
        # Nesmy's orders
        "n-team-a": Case("n-team-a", n, team="a"),
        "n-team-b": Case("n-team-b", n, team="b"),
        "n-named": Case("n-named", n, team="b", named=frozenset({"technicien.nesmy"})),
        "n-company-a": Case("n-company-a", n, company="a"),
        "n-company-b": Case("n-company-b", n, company="b"),
        "n-shared": Case("n-shared", n, team="shared"),
        "n-sud": Case("n-sud", n, team="sud"),  # a shared team that does not serve Nesmy
        "n-untaken": Case("n-untaken", n),
        # Venansault's
        "v-team": Case("v-team", v, team="v", company="v"),
        "v-shared": Case("v-shared", v, team="shared"),  # the shared team serving Nesmy only
        "v-sud": Case("v-sud", v, team="sud"),
        "v-company-a": Case("v-company-a", v, company="a"),  # Nesmy's company: never crosses communes
        "v-untaken": Case("v-untaken", v),
    }
    filers = {"n-team-a": "demandeur.nesmy", "n-team-b": "technicien.nesmy", "v-team": None}
    member_of = {"a": users["technicien.nesmy"], "b": tech_b, "shared": users["technicien.epci"], "sud": tech_sud}
    member_of["v"] = o["v_chef"]
    with scopes_disabled():
        for case in cases.values():
            org = orgs[case.organisation]
            building = f.building(org, f"Bâtiment {case.building_mark}")
            common = {
                "building_obj": building,
                "team_obj": teams[case.team] if case.team else None,
                "contractor": companies[case.company] if case.company else None,
            }
            case.order = f.work_order(org, title=case.title, status=WorkOrder.Status.IN_PROGRESS, **common)
            case.twin = f.work_order(org, title=f"{case.title}validé", status=WorkOrder.Status.VALIDATED, **common)
            WorkOrder.objects.filter(pk=case.twin.pk).update(
                validated_at=dt.datetime.now(dt.UTC), total_cost=Decimal("10.00"), labour_cost=Decimal("10.00")
            )
            for key in case.named:
                f.name_technicians(case.order, actors[key].user)
                f.name_technicians(case.twin, actors[key].user)
            case.checklist = ChecklistItem.objects.create(organisation=org, work_order=case.order, label=case.title)
            technician = member_of.get(case.team) or users["technicien.nesmy"]
            case.time_entry = TimeEntry.objects.create(
                organisation=org,
                work_order=case.order,
                technician=technician,
                date=dt.date(2026, 1, 5),
                hours=Decimal("1"),
                hourly_rate=Decimal("40"),
                amount=Decimal("40.00"),
            )
            case.document = _attach(
                org, case.order, f"{case.key}.pdf", b"%PDF-1.4 " + case.key.encode(), "application/pdf", "document"
            )
            report = InterventionReport(organisation=org, work_order=case.order, notes=case.title, signed_by_name="X")
            report.signature.save(f"{case.key}.png", ContentFile(PNG), save=False)
            report.save()
            case.filed_by = filers.get(case.key, "demandeur.nesmy" if case.organisation == n else None)
            requester = actors[case.filed_by].user if case.filed_by else o["request"].requested_by
            case.request = f.work_request(
                org,
                requested_by=requester,
                building_obj=building,
                description=case.request_mark,
                status=WorkRequest.Status.ACCEPTED,
                work_order=case.order,
            )
            case.photo = _attach(org, case.request, f"{case.key}.png", PNG, "image/png", "photo")
    return OwnershipWorld(actors=actors, cases=cases, orgs=orgs, base=base)
