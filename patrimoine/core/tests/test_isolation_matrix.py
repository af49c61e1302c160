"""Tenant isolation matrix: every list and detail view × every role × two communes.

Venansault's data must never reach a user of Nesmy (whatever the role), nor the EPCI's shared team
that serves Nesmy only. The EPCI's administrator and reader have a read-only consolidated view of
all member communes: they may read Venansault's pages but never change anything there.

Each case walks every URL of the project that takes an object id (found from the URL resolver, so
a new page is covered as soon as it exists), with GET and POST, and every list page.
"""

from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_scopes import scopes_disabled

from patrimoine.accounts.models import OidcIdentity
from patrimoine.chargeback.tests.matrix import venansault_statement
from patrimoine.core.models import AuditEntry
from patrimoine.costs.models import MaterialLine, TimeEntry
from patrimoine.documents.models import Document
from patrimoine.intake.models import WorkRequest
from patrimoine.organisations.models import Membership
from patrimoine.purchasing.tests import matrix as purchasing_matrix
from patrimoine.stock.models import StockLevel, StockMovement, Store
from patrimoine.workorders.models import ChecklistItem, WorkOrder

pytestmark = pytest.mark.django_db
Role = Membership.Role

SECRET = "Zyxwvu"  # appears in every name and text of Venansault's data; lists are searched for its first 4 letters

LIST_URLS = [
    "/",
    "/patrimoine/",
    f"/patrimoine/?q={SECRET[:4]}",
    "/demandes/",
    f"/demandes/?q={SECRET[:4]}",
    "/bons/",
    f"/bons/?q={SECRET[:4]}",
    "/bons/a-valider/",
    "/bons/planning/",
    "/couts/",
    "/couts/?format=csv",
    "/couts/taux/",
    f"/stock/articles/?q={SECRET[:4]}",
    "/stock/",
    f"/stock/?q={SECRET[:4]}",
    "/stock/magasins/",
    "/stock/alertes/",
    *[url.format(q=SECRET[:4]) for url in purchasing_matrix.LIST_URLS],
    "/rapports/",
    "/rapports/couts/",
    "/rapports/couts/?export=batiments&format=csv",
    "/rapports/annuel/",
    "/refacturation/",
    "/refacturation/?format=csv",
    "/refacturation/rapprochement/",
    "/terrain/api/donnees/",
    "/reprise/",
    "/reprise/export.geojson?type=batiments",
    "/reprise/export.geojson?type=equipements",
    "/terrain/api/catalogue/",
    f"/terrain/a-regulariser/?statut=toutes&q={SECRET[:4]}",
    "/maintenance/",
    f"/maintenance/?q={SECRET[:4]}",
    "/maintenance/plans/",
    f"/maintenance/plans/?q={SECRET[:4]}",
    "/maintenance/calendrier/",
    "/maintenance/generation/",
    "/reversibilite/",
    "/open311/",
    "/open311/v2/services.xml",
    "/open311/v2/requests.json",
    f"/confiance/journal/?objet={SECRET[:4]}",
    "/confiance/journal/?format=csv",
    "/exploitation/",  # the instance page (patrimoine/ops): superusers only
    "/compte/identites/",
]


@dataclass
class World:
    objects: dict
    users: dict


def _build_world(f) -> World:
    epci, (nesmy, venansault) = f.epci_with_communes("Nesmy", "Venansault")
    users = {}
    for role in Role:
        users[f"{role.value}.nesmy"] = f.user(f"{role.value}.nesmy", role=role, organisation=nesmy)
    chef_epci = f.user("chef.epci", role=Role.TEAM_LEAD, organisation=epci)
    tech_epci = f.user("technicien.epci", role=Role.TECHNICIAN, organisation=epci)
    f.team(epci, "Régie mutualisée", lead=chef_epci, members=[tech_epci], serves=[nesmy])
    users.update(
        {
            "chef.epci": chef_epci,
            "technicien.epci": tech_epci,
            "admin.epci": f.user("admin.epci", role=Role.ADMIN, organisation=epci),
            "lecteur.epci": f.user("lecteur.epci", role=Role.READER, organisation=epci),
        }
    )
    # Venansault's data, touched by nobody above.
    v_chef = f.user("chef.venansault", role=Role.TEAM_LEAD, organisation=venansault)
    v_tech = f.user("technicien.venansault", role=Role.TECHNICIAN, organisation=venansault)
    v_requester = f.user("demandeur.venansault", role=Role.REQUESTER, organisation=venansault)
    v_team = f.team(venansault, f"Équipe {SECRET}", lead=v_chef, members=[v_tech])
    v_contractor = f.contractor(venansault, f"Entreprise {SECRET}")
    site = f.site(venansault, f"Site {SECRET}")
    building = f.building(venansault, f"Mairie {SECRET}", site_obj=site, surface_m2=Decimal("420"))
    level = f.level(building, f"Étage {SECRET}")
    space = f.space(level, f"Salle {SECRET}")
    equipment = f.equipment(building, f"Chaudière {SECRET}")
    item = f.item(venansault, f"Joint {SECRET}")
    f.labour_rate(venansault, "40.00")
    request = f.work_request(venansault, requested_by=v_requester, building_obj=building, description=f"Fuite {SECRET}")
    order = f.work_order(
        venansault,
        title=f"Réparer {SECRET}",
        building_obj=building,
        team_obj=v_team,
        contractor=v_contractor,
        status=WorkOrder.Status.DONE,
    )
    done_order = f.work_order(venansault, title=f"Ancien {SECRET}", building_obj=building, team_obj=v_team)
    with scopes_disabled():
        f.name_technicians(order, v_tech)
        checklist = ChecklistItem.objects.create(organisation=venansault, work_order=order, label=f"Point {SECRET}")
        time_entry = TimeEntry.objects.create(
            organisation=venansault,
            work_order=order,
            technician=v_tech,
            date="2026-01-05",
            hours=Decimal("2"),
            hourly_rate=Decimal("40"),
            amount=Decimal("80.00"),
        )
        material = MaterialLine.objects.create(
            organisation=venansault,
            work_order=order,
            item=item,
            label=item.label,
            quantity=Decimal("1"),
            unit_cost=Decimal("0.85"),
            amount=Decimal("0.85"),
        )
        from patrimoine.costs.services import work_order_recompute_costs

        work_order_recompute_costs(work_order=order)
        WorkOrder.objects.filter(pk=done_order.pk).update(status=WorkOrder.Status.VALIDATED)
        from django.contrib.contenttypes.models import ContentType
        from django.core.files.base import ContentFile

        document = Document(
            organisation=venansault,
            content_type=ContentType.objects.get_for_model(building),
            object_id=building.pk,
            kind=Document.Kind.DOCUMENT,
            title=f"Plan {SECRET}",
            original_name="plan.pdf",
            mime_type="application/pdf",
            size=8,
        )
        document.file.save("plan.pdf", ContentFile(b"%PDF-1.4"), save=False)
        document.save()
        store = Store.objects.create(organisation=venansault, code="VZ", name=f"Magasin {SECRET}")
        StockLevel.objects.create(
            organisation=venansault, store=store, item=item, quantity=Decimal("1"), reorder_threshold=Decimal("5")
        )
    objects = {
        "site": site,
        "building": building,
        "level": level,
        "space": space,
        "equipment": equipment,
        "request": request,
        "order": order,
        "checklist": checklist,
        "time_entry": time_entry,
        "material": material,
        "document": document,
        "item": item,
        "store": store,
        "venansault": venansault,
        "v_chef": v_chef,
        "nesmy": nesmy,
        "epci": epci,
    }
    objects["statement"] = venansault_statement(f, objects, SECRET)  # Venansault bills a neighbour
    objects.update(purchasing_matrix.venansault_purchasing(objects, SECRET))
    return World(objects=objects, users=users)


def _patterns(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue
            yield from _patterns(entry, entry.namespace or namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}:{entry.name}" if namespace else entry.name, entry.pattern.converters


def _kwargs_for(name: str, params: set[str], o: dict) -> dict | None:
    """The URL kwargs that point at Venansault's object for this route, or None if it takes no object."""
    if not params:
        return None
    app, _, view = name.partition(":")
    kind = view.split("-")[0]
    if app == "field" and "conflict" not in o:
        from patrimoine.field.tests.matrix import venansault_conflict

        o["conflict"] = venansault_conflict(o, SECRET)
    if app == "imports" and "import_job" not in o:
        from patrimoine.imports.tests.matrix import venansault_import

        o["import_job"] = venansault_import(o, SECRET)
    if app == "portal":
        from patrimoine.portal.tests.matrix import portal_kwargs

        return portal_kwargs(view, params, o, SECRET)
    if app == "api-v1":
        return None  # the REST API takes tokens, not sessions: walked by patrimoine/api/tests/test_api_matrix.py
    if app == "api" and "token" not in o:
        from patrimoine.api.tests.matrix import venansault_token

        o["token"] = venansault_token(o, SECRET)
    if app == "maintenance" and "plan" not in o:
        from patrimoine.maintenance.tests.matrix import venansault_maintenance

        o.update(venansault_maintenance(o, SECRET))
    if app == "reversibility" and "export" not in o:
        from patrimoine.reversibility.tests.matrix import venansault_export

        o["export"] = venansault_export(o, SECRET)
    if app == "accounts" and "identity" not in o:
        from patrimoine.accounts.tests.matrix import venansault_identity

        o["identity"] = venansault_identity(o, SECRET)
    if app == "open311":
        from patrimoine.open311.tests.matrix import open311_kwargs

        return open311_kwargs(kind, params, o, SECRET)
    target = {
        "assets": {
            "site": o["site"],
            "building": o["building"],
            "level": o["level"],
            "space": o["space"],
            "equipment": o["equipment"],
        }.get(kind),
        "intake": o["request"],
        "workorders": o["order"],
        "costs": o["order"],
        "documents": o["document"],
        "stock": {"item": o["item"], "store": o["store"]}.get(kind),
        "purchasing": purchasing_matrix.target(app, kind, o),
        "budgets": purchasing_matrix.target(app, kind, o),
        "chargeback": o["statement"],
        "field": {"conflict": o.get("conflict"), "order": o["order"]}.get(kind),
        "maintenance": {k: o.get(k) for k in ("plan", "occurrence", "finding")}.get(kind),
        "reversibility": o.get("export"),
        "imports": o.get("import_job"),
        "api": o.get("token"),
        "accounts": o.get("identity"),
    }.get(app)
    kwargs = {}
    for param in params:
        if param == "pk":
            kwargs["pk"] = target.pk
        elif param == "building_pk":
            kwargs["building_pk"] = o["building"].pk
        elif param == "level_pk":
            kwargs["level_pk"] = o["level"].pk
        elif param == "item_pk":
            kwargs["item_pk"] = o["checklist"].pk
        elif param == "line_pk":
            kwargs["line_pk"] = o["po_line"].pk if app == "purchasing" else o["time_entry"].pk
        elif param == "kind":
            kwargs["kind"] = "temps"
        elif param == "team_pk":
            kwargs["team_pk"] = o["order"].team_id
        elif param == "token":
            kwargs["token"] = "jeton-inconnu"  # an outsider holds no calendar token of Venansault's
        else:
            raise AssertionError(f"Unknown URL parameter {param!r} in {name}: teach the isolation matrix about it.")
    return kwargs


def _object_urls(o: dict) -> list[str]:
    urls = []
    for name, converters in _patterns():
        kwargs = _kwargs_for(name, set(converters), o)
        if kwargs is not None:
            urls.append(reverse(name, kwargs=kwargs))
    return urls


def _state(o: dict) -> tuple:
    with scopes_disabled():
        order = WorkOrder.objects.get(pk=o["order"].pk)
        request = WorkRequest.objects.get(pk=o["request"].pk)
        return (
            AuditEntry.objects.filter(kind=AuditEntry.Kind.CHANGE).count(),  # reads (exports) are audited too
            order.status,
            order.version,
            order.total_cost,
            order.team_id,
            request.status,
            request.work_order_id,
            TimeEntry.objects.filter(work_order=order).count(),
            MaterialLine.objects.filter(work_order=order).count(),
            ChecklistItem.objects.get(pk=o["checklist"].pk).done,
            Document.objects.count(),
            StockMovement.objects.count(),
            list(StockLevel.objects.values_list("quantity", "reorder_threshold")),
            purchasing_matrix.state(),
            sorted(OidcIdentity.objects.values_list("pk", "status", "user_id")),
        )


POST_PAYLOAD = {
    "to_status": WorkOrder.Status.VALIDATED,
    "status": WorkOrder.Status.VALIDATED,
    "reason": "x",
    "version": 1,
    "done": "on",
    "name": "x",
    "title": "x",
    "description": "x",
    "hours": "2",
    "quantity": "1",
    "amount": "10",
    "label": "x",
    "code": "X1",
    "trade": "",
    "into": "",
    "notes": "x",
}

OUTSIDERS = [f"{role.value}.nesmy" for role in Role] + ["chef.epci", "technicien.epci"]
CONSOLIDATED_READERS = ["admin.epci", "lecteur.epci"]


def _get_refused(client, url) -> bool:
    response = client.get(url)
    return response.status_code in (403, 404) or (
        response.status_code == 302 and "/compte/connexion/" in response.get("Location", "")
    )


@pytest.mark.parametrize("username", OUTSIDERS)
def test_nobody_outside_venansault_reads_or_writes_its_data(f, client, username):
    world = _build_world(f)
    o = world.objects
    client.force_login(world.users[username])
    urls = _object_urls(o)
    assert len(urls) > 30, "the matrix should cover every object page"
    before = _state(o)
    leaks = []
    for url in urls:
        response = client.get(url)
        if response.status_code not in (403, 404, 405):
            leaks.append(f"GET {url} → {response.status_code}")
        response = client.post(url, POST_PAYLOAD)
        if response.status_code not in (403, 404, 405):
            leaks.append(f"POST {url} → {response.status_code}")
    for url in LIST_URLS:
        response = client.get(url)
        body = b"".join(response) if response.streaming else response.content
        if SECRET.encode() in body:
            leaks.append(f"LIST {url} shows Venansault's data")
    assert leaks == [], f"{username} reaches Venansault's data:\n" + "\n".join(leaks)
    assert _state(o) == before, f"{username} changed Venansault's data"


@pytest.mark.parametrize("username", CONSOLIDATED_READERS)
def test_epci_direction_reads_member_communes_but_changes_nothing(f, client, username):
    world = _build_world(f)
    o = world.objects
    client.force_login(world.users[username])
    for url in (
        reverse("assets:building-detail", kwargs={"pk": o["building"].pk}),
        reverse("intake:detail", kwargs={"pk": o["request"].pk}),
        reverse("workorders:detail", kwargs={"pk": o["order"].pk}),
    ):
        response = client.get(url)
        assert response.status_code == 200 and SECRET in response.content.decode(), url
    urls = _object_urls(o)  # builds the objects some routes need before the state is taken
    before = _state(o)
    writes = []
    for url in urls:
        response = client.post(url, POST_PAYLOAD)
        if response.status_code not in (403, 404, 405) and not (
            response.status_code in (200, 400) and "form" in response.content.decode()
        ):
            writes.append(f"POST {url} → {response.status_code}")
    assert _state(o) == before, f"{username} changed Venansault's data through its consolidated view"
    assert writes == [], "\n".join(writes)


def test_venansault_team_lead_does_see_his_own_data(f, client):
    """The matrix above would be vacuous if the pages did not show the data to its owners."""
    world = _build_world(f)
    o = world.objects
    client.force_login(o["v_chef"])
    for url in (
        reverse("assets:building-detail", kwargs={"pk": o["building"].pk}),
        reverse("intake:detail", kwargs={"pk": o["request"].pk}),
        reverse("workorders:detail", kwargs={"pk": o["order"].pk}),
        "/bons/",
        "/demandes/",
    ):
        response = client.get(url)
        assert response.status_code == 200 and SECRET in response.content.decode(), url


def test_a_signed_in_citizen_reaches_no_back_office_page(f, client):
    """A citizen signed in through the citizen identity provider is no agent: no User is logged in, so
    every page that is not public by design (`login_not_required`) answers the login redirect, a
    refusal or nothing — GET and POST — even for Venansault, whose report the citizen filed."""
    from django.contrib.auth import get_user_model
    from django.urls import Resolver404, resolve

    from patrimoine.portal.tests.matrix import sign_in_citizen, venansault_citizen

    world = _build_world(f)
    o = world.objects
    identity = venansault_citizen(o, SECRET)
    sign_in_citizen(client, identity)
    assert "Citoyenne" in client.get("/signaler/mes-signalements/").content.decode()  # signed in indeed
    urls = set(_object_urls(o)) | set(LIST_URLS)
    for name, converters in _patterns():
        if not converters:
            try:
                urls.add(reverse(name))
            except Exception:  # noqa: BLE001, S112 — a route needing arguments it does not declare
                continue
    before = _state(o)
    users = get_user_model().objects.count()  # after the URLs: building them creates the matrix's objects
    walked, leaks = 0, []
    for url in sorted(urls):
        try:
            view = resolve(url.split("?")[0]).func
        except Resolver404:
            continue
        if getattr(view, "login_required", True) is False:
            continue  # public by design: the portal, tracking, sign-in pages, token-authenticated APIs
        walked += 1
        for method in ("get", "post"):
            response = getattr(client, method)(url, POST_PAYLOAD) if method == "post" else client.get(url)
            login_redirect = response.status_code == 302 and "/compte/connexion/" in response.get("Location", "")
            if not (login_redirect or response.status_code in (401, 403, 404, 405)):
                leaks.append(f"{method.upper()} {url} → {response.status_code}")
    assert walked > 100, "the citizen should have been walked through the whole back office"
    assert leaks == [], "a signed-in citizen reaches the back office:\n" + "\n".join(leaks)
    assert _state(o) == before
    assert get_user_model().objects.count() == users and client.session.get("_auth_user_id") is None
