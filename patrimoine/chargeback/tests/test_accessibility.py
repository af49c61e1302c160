"""axe-core (WCAG 2.1 A/AA) finds nothing on the charge-back and dashboard pages, in real Chromium."""

from decimal import Decimal
from pathlib import Path

import pytest

from conftest import access_of, browser_login
from patrimoine.chargeback.services import statement_issue

from .helpers import Q1, Q2, paris, shared_world, validated_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
AXE = (Path(__file__).resolve().parents[2] / "tests" / "vendor" / "axe.min.js").read_text()


@pytest.fixture
def data(f):
    world = shared_world(f)
    nesmy = world["communes"][0]
    school = f.building(nesmy, "École Jules Ferry", surface_m2=Decimal("1200"))
    validated_order(
        f, world, nesmy, at=paris(2, 12), building=school, time=[(world["ahmed"], "1.75", "38.40")], externals=["15"]
    )
    validated_order(f, world, nesmy, at=paris(5, 12), materials=[("Joint", 2, "0.85")])
    f.work_request(nesmy, building_obj=school)
    world["statement"] = statement_issue(access=access_of(world["chef"], world["epci"]), commune=nesmy, period=Q1)
    return world


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


def test_finance_and_dashboard_pages_have_no_axe_violation(data, page):
    nesmy, statement = data["communes"][0], data["statement"]
    found = []
    browser_login(page, data["reader_nesmy"].username)
    for path in (
        "/refacturation/",
        f"/refacturation/{statement.pk}/",
        "/rapports/",
        f"/rapports/couts/?year={Q1.start.year}",
        f"/rapports/annuel/?organisation={nesmy.pk}&year={Q1.start.year}",
    ):
        found += _violations(page, path)
    page.context.clear_cookies()
    browser_login(page, data["chef"].username)
    for path in (
        f"/refacturation/nouveau/?commune={nesmy.pk}&trimestre=autre&debut={Q2.start}&fin={Q2.end}",
        f"/refacturation/rapprochement/?trimestre=autre&debut={Q1.start}&fin={Q2.end}",
        f"/rapports/couts/?year={Q1.start.year}",
    ):
        found += _violations(page, path)
    assert found == []
