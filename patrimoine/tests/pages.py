"""Every page of the project, for every role, on believable data: the catalogue the accessibility
audit and the eco-design budget walk.

The data is the isolation matrix's commune (Venansault: buildings, requests, orders, stock, purchasing,
maintenance, charge-back…) with one user of every role *inside* it, so that each page shows its real
content. URLs come from the URL resolver (the matrix's `_patterns` and `_kwargs_for`): a new page is
audited as soon as it exists. For each role the test client keeps the URLs that answer an HTML 200;
pages whose `<main>` has the same structure for several roles are audited once.
"""

import hashlib
import re
from dataclasses import dataclass

from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from patrimoine.core.tests.test_isolation_matrix import LIST_URLS, SECRET, _build_world, _kwargs_for, _patterns
from patrimoine.intake.models import WorkRequest
from patrimoine.organisations.models import Membership
from patrimoine.portal.models import PublicReply
from patrimoine.portal.tests.matrix import venansault_report

Role = Membership.Role
ANONYMOUS = "anonyme"
SUPERUSER = "superutilisateur"

# Files, feeds and APIs, not pages (rendering a PDF costs seconds): never audited.
NOT_PAGES = re.compile(r"(\.pdf|/pdf/|\.ics|\.csv|\.xlsx|format=|export=|/api/|sw\.js|manifest|\.json)")
_TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^>]*?)?)\s*/?>")
_KEPT_ATTRS = re.compile(r'\s(class|role|type|aria-[a-z]+|scope|alt|for|hidden|tabindex)(?:="[^"]*")?')


@dataclass
class Page:
    role: str
    url: str
    name: str


def build_world(f):
    """The matrix's Venansault, its own users of every role, and its citizen report."""
    world = _build_world(f)
    o = world.objects
    venansault = o["venansault"]
    with scopes_disabled():
        contractor = o["order"].contractor
    users = {
        Role.ADMIN: f.user("admin.venansault", role=Role.ADMIN, organisation=venansault),
        Role.MANAGER: f.user("gestionnaire.venansault", role=Role.MANAGER, organisation=venansault),
        Role.TEAM_LEAD: o["v_chef"],
        Role.TECHNICIAN: next(u for u in _members(o["order"])),
        Role.REQUESTER: _requester(o["request"]),
        Role.READER: f.user("lecteur.venansault", role=Role.READER, organisation=venansault),
        Role.CONTRACTOR: f.user(
            "prestataire.venansault", role=Role.CONTRACTOR, organisation=venansault, contractor=contractor
        ),
    }
    # The instance's administrator (patrimoine/ops): only the instance pages are walked for him.
    users[SUPERUSER] = f.user("dsi", is_staff=True, is_superuser=True)
    o["public_report"] = report = venansault_report(o, SECRET)
    with scopes_disabled():  # the citizen's request follows the order: its page shows the public replies
        WorkRequest.objects.filter(pk=report.work_request_id).update(work_order=o["order"], status="acceptee")
        PublicReply.objects.create(organisation=o["venansault"], report=report, text="Intervention prévue jeudi.")
    return o, users


@scopes_disabled()
def _members(order):
    return list(order.technicians.all())


@scopes_disabled()
def _requester(request):
    return WorkRequest.objects.get(pk=request.pk).requested_by


def candidate_urls(o: dict) -> dict[str, str]:
    """url → route name: every route without a parameter, every object route, the list variants."""
    urls = {}
    for name, converters in _patterns():
        if name.startswith("portal:") and "org" in converters:
            slug = o["venansault"].slug
            urls[reverse(name, kwargs={"org": slug})] = name
            continue
        if name == "portal:track":
            urls[reverse(name, kwargs={"token": o["public_report"].token})] = name
            continue
        if not converters:
            try:
                urls[reverse(name)] = name
            except Exception:  # noqa: BLE001 — a route needing arguments it does not declare
                continue
            continue
        kwargs = _kwargs_for(name, set(converters), o)
        if kwargs is not None:
            urls[reverse(name, kwargs=kwargs)] = name
    for url in LIST_URLS:
        urls.setdefault(url, url)
    slug = o["venansault"].slug
    urls[f"/signaler/{slug}/?categorie=eclairage&lieu=Mairie"] = "portal:report (étape 2)"
    return urls


def _structure(html: str) -> str:
    """The skeleton of <main> (tags and the attributes that matter to accessibility), without text."""
    main = html.split("<main", 1)[-1].split("</main>", 1)[0]
    main = re.sub(r"<script.*?</script>", "", main, flags=re.S)
    parts = []
    for tag, attrs in _TAG.findall(main):
        parts.append(f"<{tag}{''.join(m.group(0) for m in _KEPT_ATTRS.finditer(attrs))}>")
    return "".join(parts)


def html_pages(o: dict, users: dict) -> list[Page]:
    """The pages to audit: HTML answered 200 for the role, one per distinct structure of <main>."""
    urls = candidate_urls(o)
    seen: set[tuple[str, str]] = set()
    pages = []
    for role, user in [(ANONYMOUS, None), *users.items()]:
        client = Client()
        if user is not None:
            client.force_login(user)
        for url, name in urls.items():
            if NOT_PAGES.search(url) or (role == SUPERUSER and not name.startswith("ops:")):
                continue
            response = client.get(url)
            if response.status_code != 200 or response.streaming:
                continue
            if not response.get("Content-Type", "").startswith("text/html"):
                continue
            html = response.content.decode()
            if "<main" not in html:
                continue
            key = (name, hashlib.sha1(_structure(html).encode()).hexdigest())
            if key in seen and url != "/":
                continue
            seen.add(key)
            pages.append(Page(str(role), url, name))
    return pages


def session_cookie(live_server_url: str, user) -> list[dict]:
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    return [{"name": "sessionid", "value": cookie.value, "url": live_server_url}]
