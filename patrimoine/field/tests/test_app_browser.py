"""The app's other gestures in real Chromium: the timer, « signaler autre chose » without network, and
an accessibility audit (axe-core, WCAG 2.1 A/AA) of every view, online and offline."""

import re
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from conftest import browser_login
from patrimoine.costs.models import TimeEntry
from patrimoine.documents.models import Document
from patrimoine.intake.models import WorkRequest
from patrimoine.workorders.models import WorkOrder

from .test_offline_browser import (  # noqa: F401 — the console fixture prints what the page said
    _browser_console,
    all_sent,
    camera_photo,
    open_app,
    open_app_then_go_offline,
    status_bar,
)
from .test_views import _conflict

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
AXE = (Path(__file__).resolve().parents[2] / "tests" / "vendor" / "axe.min.js").read_text()


@pytest.fixture(autouse=True)
def _patient_expectations():
    expect.set_options(timeout=20_000)
    yield
    expect.set_options(timeout=5_000)


def open_leak(page):
    page.get_by_role("link", name=re.compile("Fuite sous l'évier de la cantine")).click()
    expect(page.locator("h1")).to_contain_text("Fuite sous l'évier de la cantine")


def _morning() -> datetime:
    """Today at 8 a.m. in Paris: the fake clock runs hours forward, and started late in the evening it
    would carry the time entry into tomorrow, a date the server refuses."""
    return datetime.now(ZoneInfo("Europe/Paris")).replace(hour=8, minute=0, second=0, microsecond=0)


def test_timer_paused_and_stopped_fills_the_time_to_record(day, page):
    page.clock.install(time=_morning())
    open_app_then_go_offline(page)
    open_leak(page)
    page.get_by_role("button", name="Démarrer le chronomètre").click()
    expect(page.locator("#order-status")).to_contain_text("En cours (pas encore envoyé)")
    page.clock.fast_forward("01:00:00")
    page.get_by_role("button", name="Pause").click()
    page.clock.fast_forward("00:30:00")  # lunch: not counted
    page.get_by_role("button", name="Reprendre").click()
    page.clock.fast_forward("00:45:00")
    expect(page.get_by_role("timer")).to_contain_text("01:45:0")
    page.get_by_role("button", name="Arrêter et saisir le temps").click()
    expect(page.get_by_label("Heures", exact=True)).to_have_value("1")
    expect(page.get_by_label("Minutes")).to_have_value("45")
    page.get_by_role("button", name="Enregistrer le temps").click()
    expect(status_bar(page)).to_contain_text("2 actions en attente d'envoi")
    page.context.set_offline(False)
    all_sent(page)
    with scopes_disabled():
        entry = TimeEntry.objects.get(work_order=day.leak)
        assert entry.hours == Decimal("1.75") and entry.amount == Decimal("67.20")


def test_finishing_with_the_timer_running_records_its_time(day, page):
    page.clock.install(time=_morning())
    open_app_then_go_offline(page)
    open_leak(page)
    page.get_by_role("button", name="Démarrer le chronomètre").click()
    expect(page.get_by_role("button", name="Pause")).to_be_visible()
    page.clock.fast_forward("00:30:00")
    page.get_by_role("button", name="Marquer comme terminé").click()
    page.get_by_role("button", name="Oui, c'est terminé").click()
    expect(page.locator("#finish-state")).to_contain_text("Intervention terminée")
    expect(status_bar(page)).to_contain_text("3 actions en attente d'envoi")  # started, 30 min, finished
    page.context.set_offline(False)
    all_sent(page)
    with scopes_disabled():
        # 30 minutes on the fake clock, plus the few real seconds a loaded machine takes to click
        assert Decimal("0.50") <= TimeEntry.objects.get(work_order=day.leak).hours <= Decimal("0.55")
        assert WorkOrder.objects.get(pk=day.leak.pk).status == WorkOrder.Status.DONE


def test_something_else_reported_offline_becomes_one_field_request(day, page, tmp_path):
    open_app_then_go_offline(page)
    open_leak(page)
    page.get_by_role("link", name="Signaler autre chose").click()
    expect(page.locator("h1")).to_have_text("Signaler autre chose")
    page.get_by_label("Que se passe-t-il, et où exactement ?").fill(
        "Dalle du faux plafond fissurée au-dessus de l'évier"
    )
    page.get_by_label("Urgente").check()
    expect(page.get_by_label(re.compile("Au même endroit"))).to_be_checked()
    page.locator("#report-photos").set_input_files(str(camera_photo(tmp_path / "dalle.jpg")))
    expect(page.locator("#report-photos-state")).to_contain_text("1 photo(s) choisie(s)")
    page.get_by_role("button", name="Enregistrer le signalement").click()
    expect(page.locator("h1")).to_contain_text(day.leak.reference)  # back on the order
    expect(status_bar(page)).to_contain_text("1 action en attente d'envoi")
    page.context.set_offline(False)
    all_sent(page)
    with scopes_disabled():
        request = WorkRequest.objects.get(channel=WorkRequest.Channel.FIELD)
        assert request.building == day.school and request.equipment == day.boiler
        assert request.urgency == "urgente" and request.requested_by == day.ahmed
        assert Document.objects.filter(object_id=request.pk).count() == 1


def _violations(page, where):
    page.evaluate(AXE)
    found = page.evaluate(
        "async () => (await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})).violations"
        ".map(v => `${v.id}: ${v.help} (${v.nodes.length}) ${v.nodes.slice(0,2).map(n => n.target).join(' | ')}`)"
    )
    return [f"{where} — {v}" for v in found]


def test_every_view_has_no_axe_violation_online_and_offline(day, page):
    open_app(page)
    found = _violations(page, "accueil en ligne")
    open_leak(page)
    found += _violations(page, "bon en ligne")
    page.context.set_offline(True)
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-ready", "true")
    page.get_by_label("Rechercher un article du catalogue").fill("joint")
    expect(page.locator("#mat-results button")).to_have_count(1)
    found += _violations(page, "bon hors ligne, recherche d'article")
    page.get_by_role("link", name="Signaler autre chose").click()
    found += _violations(page, "signaler hors ligne")
    page.get_by_role("link", name=re.compile("Retour au bon")).click()
    page.get_by_role("link", name="← Mes interventions").click()
    found += _violations(page, "accueil hors ligne")
    assert found == []


def test_lead_pages_have_no_axe_violation(day, page, login):
    conflict = _conflict(day, login)
    browser_login(page, "chef.epci")
    page.goto("/terrain/a-regulariser/")
    expect(page.get_by_role("link", name=conflict.summary)).to_be_visible()
    found = _violations(page, "liste à régulariser")
    page.get_by_role("link", name=conflict.summary).click()
    expect(page.locator("h1")).to_have_text(conflict.summary)
    found += _violations(page, "saisie à régulariser")
    assert found == []


TARGETS = """() => {
  const small = [];
  const seen = (el) => el.getClientRects().length && getComputedStyle(el).visibility !== "hidden";
  for (const el of document.querySelectorAll("a[href], button, input, select, textarea, summary")) {
    if (!seen(el) && !(el.type === "file")) continue;
    let target = el;
    if (["checkbox", "radio", "file"].includes(el.type)) target = document.querySelector(`label[for="${el.id}"]`);
    if (!target || !seen(target)) { small.push(`${el.tagName} ${el.id || el.name} has no visible target`); continue; }
    const box = target.getBoundingClientRect();
    const name = `${target.tagName}#${target.id} «${target.textContent.trim().slice(0, 30)}»`;
    if (box.height < 44 || box.width < 44) small.push(`${name} ${Math.round(box.width)}×${Math.round(box.height)}`);
  }
  return small;
}"""


def test_every_control_is_a_44_pixel_touch_target_on_a_phone(day, page):
    page.set_viewport_size({"width": 360, "height": 740})
    open_app(page)
    small = page.evaluate(TARGETS)
    open_leak(page)
    page.get_by_label("Rechercher un article du catalogue").fill("joint")
    page.locator("#mat-results button").first.click()
    small += page.evaluate(TARGETS)
    page.get_by_role("link", name="Signaler autre chose").click()
    small += page.evaluate(TARGETS)
    assert small == [], "\n".join(small)
