"""Automated accessibility audit (axe-core, WCAG 2.1 A/AA rules — the basis of the RGAA) of the main
pages of each role, in real Chromium, on a small believable dataset. axe only finds part of what the
RGAA asks; what it finds must be zero."""

from pathlib import Path

import pytest

from conftest import browser_login
from patrimoine.organisations.models import Membership, TeamMember
from patrimoine.workorders.models import WorkOrder

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
Role = Membership.Role
AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()


@pytest.fixture
def data(f):
    epci, (nesmy,) = f.epci_with_communes("Nesmy")
    plumbing = f.trade("plomberie", "Plomberie")
    chef = f.user("chef.epci", role=Role.TEAM_LEAD, organisation=epci, first_name="Karim")
    ahmed = f.user("technicien.epci", role=Role.TECHNICIAN, organisation=epci, first_name="Ahmed")
    nadia = f.user("demandeur.nesmy", role=Role.REQUESTER, organisation=nesmy, first_name="Nadia")
    f.user("gestionnaire.nesmy", role=Role.MANAGER, organisation=nesmy)
    f.user("lecteur.nesmy", role=Role.READER, organisation=nesmy)
    team = f.team(
        epci, "Régie", lead=chef, members=[ahmed], serves=[nesmy], trade_obj=plumbing, grade=TeamMember.Grade.AGENT
    )
    school = f.building(nesmy, "École Jules Ferry", surface_m2=1200, is_erp=True, erp_type="R", erp_category=4)
    boiler = f.equipment(school, "Chaudière")
    request = f.work_request(nesmy, requested_by=nadia, building_obj=school, urgency="urgente")
    order = f.work_order(
        nesmy, title="Fuite", building_obj=school, equipment=boiler, team_obj=team, status=WorkOrder.Status.PLANNED
    )
    f.name_technicians(order, ahmed)
    return {"school": school, "request": request, "order": order, "boiler": boiler}


def _violations(page, path):
    page.goto(path)
    page.wait_for_load_state("networkidle")
    page.evaluate(AXE)
    result = page.evaluate(
        "async () => (await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})).violations"
        ".map(v => `${v.id}: ${v.help} (${v.nodes.length}) ${v.nodes.slice(0,2).map(n => n.target).join(' | ')}`)"
    )
    return [f"{path} — {v}" for v in result]


@pytest.mark.parametrize(
    ("username", "paths"),
    [
        (
            "chef.epci",
            [
                "/",
                "/demandes/",
                "/bons/",
                "/bons/planning/",
                "/bons/a-valider/",
                "/bons/{order}/",
                "/demandes/{request}/accepter/",
                "/couts/",
            ],
        ),
        ("technicien.epci", ["/", "/bons/{order}/"]),
        ("demandeur.nesmy", ["/", "/demandes/nouvelle/", "/demandes/{request}/"]),
        (
            "gestionnaire.nesmy",
            [
                "/patrimoine/",
                "/patrimoine/batiments/{school}/",
                "/patrimoine/equipements/{boiler}/",
                "/patrimoine/batiments/{school}/modifier/",
            ],
        ),
        ("lecteur.nesmy", ["/", "/couts/"]),
    ],
)
def test_main_pages_have_no_axe_violation(data, page, username, paths):
    browser_login(page, username)
    ids = {name: obj.pk for name, obj in data.items()}
    found = []
    for path in paths:
        found += _violations(page, path.format(**ids))
    assert found == []


def test_login_page_has_no_axe_violation(page):
    assert _violations(page, "/compte/connexion/") == []


def test_the_audit_does_catch_a_violation(page):
    """Proves the audit above can fail: an image without text alternative is reported."""
    page.set_content('<html lang="fr"><head><title>t</title></head><body><main><img src="x.png"></main></body></html>')
    page.evaluate(AXE)
    ids = page.evaluate("async () => (await axe.run()).violations.map(v => v.id)")
    assert "image-alt" in ids


# Every page of the project, for every role: test_every_page_browser.py (with the eco-design budget).
