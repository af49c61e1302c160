"""Ownership matrix: every URL of the project that points at a work order, a request or a document ×
every role × two communes × every ownership case, against the tables of organisations/permissions.py.

The isolation matrix (test_isolation_matrix.py) proves that nothing crosses communes; this one proves
that inside the scope, the row-level rules hold — a technician reads and reports on his team's orders
and those he is named on only, a contractor his company's, a shared team's lead his team's and the
untaken orders of the communes it serves — on the pages, the cost section, the files (documents,
photos, signatures), the lists and exports, the field app and the REST API, with zero leaks.

URLs are found by walking the resolver with the isolation matrix's `_kwargs_for` hooks: a new page
taking a work order, a request or a document joins this matrix by itself, and the test fails until its
action is declared below. Expectations come from facts stated in ownership.py and the declared tables,
never from the code under test.
"""

import json

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from patrimoine.api.tests.helpers import bearer, token_for
from patrimoine.core.models import AuditEntry
from patrimoine.core.tests import ownership as world_of
from patrimoine.core.tests import test_isolation_matrix as matrix
from patrimoine.costs.models import ExternalCost, MaterialLine, TimeEntry
from patrimoine.documents.models import Document
from patrimoine.documents.selectors import document_visible
from patrimoine.intake.models import WorkRequest
from patrimoine.intake.selectors import orgs_with_all_requests_visible, work_request_may, work_requests_visible_to
from patrimoine.organisations.access import access_for_user
from patrimoine.organisations.permissions import ROLE_ACTIONS
from patrimoine.workorders.models import ChecklistItem, InterventionReport, WorkOrder
from patrimoine.workorders.selectors import orgs_with_all_orders_visible, work_orders_visible_to
from patrimoine.workorders.services import work_order_may

pytestmark = pytest.mark.django_db
ORDER_ACTIONS = ("workorders.view", "workorders.plan", "workorders.report", "workorders.validate")

# What each URL pointing at a work order, a request or a document needs. A new one must be declared.
ORDER_URLS = {
    "workorders:detail": "workorders.view",
    "workorders:edit": "workorders.plan",
    "workorders:plan": "workorders.plan",
    "workorders:plan-slot": "workorders.plan",
    "workorders:transition": "workorders.plan",  # the matrix asks for « annulé »: planners only
    "workorders:checklist-toggle": "workorders.report",
    "workorders:report": "workorders.report",
    "workorders:photo-add": "attach",
    "costs:work-order": "workorders.view",
    "costs:time-add": "workorders.report",
    "costs:material-add": "workorders.report",
    "costs:external-add": "manage",
    "costs:line-remove": "remove",
    "field:order-signature": "workorders.view",
    "budgets:imputation": "budgets",
}
REQUEST_URLS = {
    "intake:detail": "read",
    "intake:accept": "intake.triage",
    "intake:reject": "intake.triage",
    "intake:merge": "intake.triage",
    "portal:reply": "portal.reply",
}
DOCUMENT_URLS = {"documents:download": "read"}
READ_ONLY = {"workorders.view", "read"}
HEAVY_PAGES = {"workorders:detail", "costs:work-order", "intake:detail"}
REFUSED = (403, 404)

LIST_URLS = [
    "/",
    "/bons/",
    "/bons/?statut=toutes",
    f"/bons/?q={world_of.MARK}",
    "/bons/a-valider/",
    "/bons/planning/",
    "/demandes/?statut=toutes",
    "/couts/?format=csv",
    "/rapports/couts/?export=batiments&format=csv",
    "/rapports/?export=arriere&format=csv",
    "/terrain/api/donnees/",
    "/achats/",
]
API_BODY = {"title": "x", "reason": "x", "to_status": "annule", "hours": "1", "date": "2026-01-05"}
REQUEST_LISTS = {"/", "/demandes/?statut=toutes"}
API_LISTS = ["/api/v1/work-orders?limit=100", "/api/v1/work-requests?limit=100"]


def _allowed(actor, case, need: str) -> bool:
    if need in ORDER_ACTIONS:
        return world_of.order_allowed(actor, case, need)
    if need == "attach":
        return any(world_of.order_allowed(actor, case, a) for a in ("workorders.report", "workorders.plan"))
    if need == "manage":
        return any(world_of.order_allowed(actor, case, a) for a in ("workorders.plan", "workorders.validate"))
    if need == "remove":
        return world_of.line_removal_allowed(actor, case)
    if need == "budgets":
        return (
            world_of.order_allowed(actor, case, "workorders.view")
            and "budgets.manage" in ROLE_ACTIONS.get(actor.role, ())
            and case.organisation in actor.writes
        )
    raise AssertionError(need)


def _grant(actor, case, kind: str) -> frozenset:
    """Why the table lets `actor` read the case's order or request (the relations that grant it): pages
    shown for one reason are shown for every case of that reason, so heavy pages are fetched once each."""
    if kind == "request":
        relations = {world_of.Owns.SCOPE} | ({world_of.Owns.FILED} if case.filed_by == actor.key else set())
        granted = relations & world_of.WORK_REQUEST_OWNERSHIP.get(actor.role, {}).get("read", frozenset())
    else:
        granted = world_of.order_relations(actor, case) & world_of.WORK_ORDER_OWNERSHIP.get(actor.role, {}).get(
            "read", frozenset()
        )
    return frozenset(granted) | {case.organisation}


def _routes(base) -> list[tuple[str, str, dict, str]]:
    """(name, class, kwargs pointing at the isolation world, need) for every route on an owned object."""
    o = base.objects
    classes = {
        o["order"].pk: "order",
        o["checklist"].pk: "order",
        o["time_entry"].pk: "order",
        o["request"].pk: "request",
        o["document"].pk: "document",
    }
    routes, undeclared = [], []
    for name, converters in matrix._patterns():
        kwargs = matrix._kwargs_for(name, set(converters), o)
        if not kwargs:
            continue
        found = {classes[value] for value in kwargs.values() if value in classes}
        if not found:
            continue
        kind = "order" if "order" in found else found.pop()
        need = {"order": ORDER_URLS, "request": REQUEST_URLS, "document": DOCUMENT_URLS}[kind].get(name)
        if need is None:
            undeclared.append(name)
        routes.append((name, kind, kwargs, need))
    assert not undeclared, f"Declare what these URLs need in test_ownership_matrix.py: {undeclared}"
    return routes


def _url(name: str, kwargs: dict, base, case, target=None) -> str:
    o = base.objects
    swap = {
        o["order"].pk: case.order.pk,
        o["checklist"].pk: case.checklist.pk,
        o["time_entry"].pk: case.time_entry.pk,
        o["request"].pk: case.request.pk,
        o["document"].pk: (target or case.document).pk,
    }
    return reverse(name, kwargs={key: swap.get(value, value) for key, value in kwargs.items()})


@scopes_disabled()
def _state() -> tuple:
    return (
        AuditEntry.objects.filter(kind=AuditEntry.Kind.CHANGE).count(),
        sorted(WorkOrder.objects.values_list("pk", "status", "version", "team_id", "total_cost")),
        sorted(WorkRequest.objects.values_list("pk", "status", "work_order_id")),
        TimeEntry.objects.count(),
        MaterialLine.objects.count(),
        ExternalCost.objects.count(),
        sorted(ChecklistItem.objects.values_list("pk", "done")),
        sorted(InterventionReport.objects.values_list("pk", "notes")),
        Document.objects.count(),
    )


POST = {**matrix.POST_PAYLOAD, "to_status": WorkOrder.Status.CANCELLED, "status": WorkOrder.Status.CANCELLED}

ACTORS = [
    *[f"{role.value}.nesmy" for role in world_of.Role],
    "chef.epci",
    "technicien.epci",
    "chef.sud",
    "technicien.sud",
    "admin.epci",
    "lecteur.epci",
    "chef.venansault",
]


@pytest.fixture
def world(f):
    return world_of.build(f, matrix._build_world(f))


def _selectors_agree(world, actor) -> list[str]:
    """The selectors and `work_order_may` against the table, for every case and verb."""
    wrong = []
    access = access_for_user(actor.user)
    assert set(access.read_org_ids) == {world.orgs[k].pk for k in actor.reads}, actor.key
    assert set(access.write_org_ids) == {world.orgs[k].pk for k in actor.writes}, actor.key
    with scope(organisation=sorted(access.read_org_ids)):
        visible = set(work_orders_visible_to(access).values_list("pk", flat=True))
        requests = set(work_requests_visible_to(access).values_list("pk", flat=True))
        for case in world.cases.values():
            order = WorkOrder.objects.filter(pk=case.order.pk).first() or case.order
            for action in ORDER_ACTIONS:
                expected = world_of.order_allowed(actor, case, action)
                if work_order_may(access, action, order) != expected:
                    wrong.append(f"work_order_may({action}, {case.key}) should be {expected}")
            if (case.order.pk in visible) != world_of.order_allowed(actor, case, "workorders.view"):
                wrong.append(f"work_orders_visible_to: {case.key}")
            if (case.twin.pk in visible) != world_of.order_allowed(actor, case, "workorders.view"):
                wrong.append(f"work_orders_visible_to: {case.key} (validated)")
            expected = world_of.request_allowed(actor, case.organisation, case.filed_by, "read")
            if (case.request.pk in requests) != expected:
                wrong.append(f"work_requests_visible_to: request of {case.key} should be {expected}")
            request = WorkRequest.objects.filter(pk=case.request.pk).first() or case.request
            for action in ("intake.triage", "portal.reply"):
                expected = world_of.request_allowed(actor, case.organisation, case.filed_by, action)
                if work_request_may(access, action, request) != expected:
                    wrong.append(f"work_request_may({action}, request of {case.key}) should be {expected}")
            for document, expected in (
                (case.document, world_of.order_allowed(actor, case, "workorders.view")),
                (case.photo, world_of.photo_allowed(actor, case)),
            ):
                found = Document.objects.select_related("content_type").filter(pk=document.pk).first()
                if (found is not None and document_visible(access, found)) != expected:
                    wrong.append(f"document_visible({document.original_name}) should be {expected}")
        wrong += _rollups_eligible_agree(world, actor, access)
    return wrong


def _rollups_eligible_agree(world, actor, access) -> list[str]:
    """The dashboards answer from per-organisation rollups only for the organisations whose every order
    (request) the table lets the actor read — never one where a case is hidden from him; and a role that
    reads by scope gets them for each organisation it reads (else its dashboards recount raw rows)."""
    wrong = []
    names = {pk: key for key, org in world.orgs.items() for pk in [org.pk]}
    eligible = {
        "orders": {names[pk] for pk in orgs_with_all_orders_visible(access)},
        "requests": {names[pk] for pk in orgs_with_all_requests_visible(access)},
    }
    for key in eligible["orders"]:
        hidden = [
            c.key
            for c in world.cases.values()
            if c.organisation == key and not world_of.order_allowed(actor, c, "workorders.view")
        ]
        if hidden:
            wrong.append(f"rollups of orders for {key}, where the table hides {hidden}")
    for key in eligible["requests"]:
        hidden = [
            c.key
            for c in world.cases.values()
            if c.organisation == key and not world_of.request_allowed(actor, c.organisation, c.filed_by, "read")
        ]
        if hidden:
            wrong.append(f"rollups of requests for {key}, where the table hides the requests of {hidden}")
    if "workorders.view" in ROLE_ACTIONS.get(
        actor.role, ()
    ) and world_of.Owns.SCOPE in world_of.WORK_ORDER_OWNERSHIP.get(actor.role, {}).get("read", ()):
        if eligible["orders"] != set(actor.reads):
            wrong.append(
                f"rollups of orders for {sorted(eligible['orders'])}, not every organisation read {sorted(actor.reads)}"
            )
    return wrong


def _in_scope(actor, case) -> bool:
    return case.organisation in actor.reads


def _walk_urls(client, world, actor) -> list[str]:
    """Every owned-object URL, for every case: GET, and POST when the table refuses the action. Posts
    aimed at another commune's cases stop at one: the isolation matrix walks those for every URL."""
    leaks, methods, shown = [], {}, set()
    for name, kind, kwargs, need in _routes(world.base):
        before, posted_outside = _state(), False
        for case in world.cases.values():
            targets = [case.document, case.photo] if kind == "document" else [None]
            for target in targets:
                url = _url(name, kwargs, world.base, case, target)
                if kind == "order":
                    allowed, readable = _allowed(actor, case, need), _allowed(actor, case, "workorders.view")
                elif kind == "request":
                    allowed = world_of.request_allowed(actor, case.organisation, case.filed_by, need)
                    readable = world_of.request_allowed(actor, case.organisation, case.filed_by, "read")
                elif target is case.document:
                    readable = allowed = world_of.order_allowed(actor, case, "workorders.view")
                else:
                    readable = allowed = world_of.photo_allowed(actor, case)
                shown_key = (name, _grant(actor, case, kind))
                if allowed and need in READ_ONLY and name in HEAVY_PAGES and shown_key in shown:
                    pass  # the page is shown for this relation already: the others cost seconds, the files not
                elif methods.get((name, "GET")) != 405 and (need in READ_ONLY or not allowed):
                    shown.add(shown_key)
                    status = client.get(url).status_code
                    if status == 405:
                        methods[(name, "GET")] = 405
                    elif not readable and status not in REFUSED:
                        leaks.append(f"GET {url} ({name}, {case.key}) → {status}, should be refused")
                    elif need in READ_ONLY and allowed and status != 200:
                        leaks.append(f"GET {url} ({name}, {case.key}) → {status}, should be shown")
                    elif need not in READ_ONLY and not allowed and status not in (*REFUSED, 302):
                        leaks.append(f"GET {url} ({name}, {case.key}) → {status}, should be refused")
                if allowed or methods.get((name, "POST")) == 405:
                    continue
                if not _in_scope(actor, case):
                    if posted_outside:
                        continue
                    posted_outside = True
                response = client.post(url, POST)
                if response.status_code == 405:
                    methods[(name, "POST")] = 405
                    continue
                refused = REFUSED if not readable else (*REFUSED, 400, 302)
                if response.status_code not in refused:
                    leaks.append(f"POST {url} ({name}, {case.key}) → {response.status_code}, should be refused")
        if _state() != before:
            leaks.append(f"POSTs to {name} that the table refuses changed something")
    return leaks


def _lists_agree(client, world, actor) -> list[str]:
    """Lists, exports, the field app's data and the API's lists never show an order the actor may not
    read; the work-order list shows every one he may."""
    leaks = []
    denied = [c for c in world.cases.values() if not world_of.order_allowed(actor, c, "workorders.view")]
    for url in LIST_URLS:
        response = client.get(url)
        body = (b"".join(response) if response.streaming else response.content).decode("utf-8", "replace")
        for case in denied:
            if url in REQUEST_LISTS and world_of.request_allowed(actor, case.organisation, case.filed_by, "read"):
                continue  # a requester follows the order answering his request from the request pages
            # A building's name is no leak to whoever reads the buildings (the list's building filter
            # names them all); it is one where a building stands for the order's cost (cost exports).
            building_shows_order = "couts" in url or "assets.view" not in ROLE_ACTIONS.get(actor.role, ())
            if case.title in body or (building_shows_order and case.building_mark in body):
                leaks.append(f"LIST {url} shows {case.key}")
        if url == f"/bons/?q={world_of.MARK}" and response.status_code == 200:  # open orders: the cases
            for case in world.cases.values():
                if case not in denied and f"{case.title}<" not in body.replace(f"{case.title}validé", ""):
                    leaks.append(f"LIST {url} hides {case.key}, which the table lets him read")
    secret = token_for(actor.user)
    for url in API_LISTS:
        body = client.get(url, **bearer(secret)).content.decode()
        for case in denied:
            if case.title in body and "work-orders" in url:
                leaks.append(f"API {url} shows {case.key}")
        for case in world.cases.values():
            readable = world_of.request_allowed(actor, case.organisation, case.filed_by, "read")
            if "work-requests" in url and not readable and case.request_mark in body:
                leaks.append(f"API {url} shows the request of {case.key}")
    return leaks


def _api_agrees(client, world, actor) -> list[str]:
    """Every REST operation on one work order or request: reads for every case; writes for the cases of
    his scope the table does not let him read (another commune's: test_api_matrix.py)."""
    leaks, shown = [], set()
    secret = token_for(actor.user)
    schema = client.get("/api/v1/openapi.json").json()
    before = _state()
    for path, operations in schema["paths"].items():
        for prefix, kind in (("/api/v1/work-orders/{pk}", "order"), ("/api/v1/work-requests/{pk}", "request")):
            if not path.startswith(prefix):
                continue
            for method in operations:
                for case in world.cases.values():
                    target = case.order if kind == "order" else case.request
                    url = path.replace("{pk}", str(target.pk)).replace("{kind}", "time-entries")
                    url = url.replace("{line_pk}", str(case.time_entry.pk))
                    if kind == "order":
                        readable = world_of.order_allowed(actor, case, "workorders.view")
                    else:
                        readable = world_of.request_allowed(actor, case.organisation, case.filed_by, "read")
                    if method == "get":
                        shown_key = (path, method, _grant(actor, case, kind))
                        if readable and shown_key in shown:
                            continue  # answered 200 for this relation already
                        shown.add(shown_key)
                        status = client.get(url, **bearer(secret)).status_code
                        if status != (200 if readable else 404):
                            leaks.append(f"API GET {url} ({case.key}) → {status}")
                        continue
                    if readable or not _in_scope(actor, case):
                        continue  # what a reader may change: the apps' own API tests
                    response = client.generic(
                        method.upper(),
                        url,
                        json.dumps(API_BODY),
                        content_type="application/json",
                        HTTP_IF_MATCH="*",
                        **bearer(secret),
                    )
                    if response.status_code not in (404, 422):  # 422: the body is checked before the order
                        leaks.append(f"API {method.upper()} {url} ({case.key}) → {response.status_code}")
    if _state() != before:
        leaks.append("API writes the table refuses changed something")
    return leaks


@pytest.mark.parametrize("who", ACTORS)
def test_every_owned_object_url_follows_the_ownership_table(world, client, who):
    actor = world.actors[who]
    leaks = _selectors_agree(world, actor)
    client.force_login(actor.user)
    leaks += _walk_urls(client, world, actor)
    leaks += _lists_agree(client, world, actor)
    leaks += _api_agrees(client, world, actor)
    assert leaks == [], f"{who}:\n" + "\n".join(leaks)


def test_the_matrix_walks_every_kind_of_owned_url(world):
    """Not vacuous: the walk covers the order pages, cost section, files, requests and the API."""
    names = {name for name, *_ in _routes(world.base)}
    assert {"workorders:detail", "costs:line-remove", "documents:download", "field:order-signature"} <= names
    assert {"intake:detail", "intake:accept", "portal:reply", "budgets:imputation"} <= names
    assert len(names) == len(ORDER_URLS) + len(REQUEST_URLS) + len(DOCUMENT_URLS)
