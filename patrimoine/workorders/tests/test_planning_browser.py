"""Journey 2 in a real browser: Karim drags the urgent leak onto Ahmed's Tuesday morning."""

from datetime import date

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from conftest import browser_login
from patrimoine.workorders.models import WorkOrder

MONDAY = date(2026, 3, 2)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_team_lead_drags_an_unplanned_order_onto_a_technician_tuesday_morning(f, world, page):
    leak = f.work_order(
        world.nesmy,
        title="Fuite sous l'évier de la cantine",
        priority=WorkOrder.Priority.URGENT,
        building_obj=world.school,
    )
    browser_login(page, "chef.epci")
    page.goto(f"/bons/planning/?equipe={world.team.pk}&semaine={MONDAY.isoformat()}")
    card = page.locator(f'.wo-backlog [data-plan-url*="{leak.pk}"]')
    expect(card).to_contain_text("Fuite sous l'évier de la cantine")
    cell = page.locator(f'td[data-technician="{world.ahmed.pk}"][data-day="2026-03-03"][data-slot="matin"]')
    expect(cell).to_be_empty()

    card.drag_to(cell)

    expect(cell).to_contain_text(leak.reference)  # the board fragment was reloaded with htmx
    expect(page.locator("#planning-status")).to_contain_text("planifié : Ahmed Benali, mardi 3 mars, matin")
    expect(page.locator(f'.wo-backlog [data-plan-url*="{leak.pk}"]')).to_have_count(0)
    with scopes_disabled():
        leak = WorkOrder.objects.get(pk=leak.pk)
        assert leak.status == WorkOrder.Status.PLANNED
        assert list(leak.technicians.all()) == [world.ahmed] and leak.team == world.team
        assert timezone.localtime(leak.planned_start).strftime("%A %H:%M") == "Tuesday 08:00"
    page.get_by_role("link", name=leak.reference).click()
    expect(page.locator("h1")).to_contain_text(leak.reference)
    expect(page.locator("#infos").locator("..")).to_contain_text("Planifié")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_team_lead_plans_with_the_keyboard_form_fetched_when_opened(f, world, page):
    """Without dragging: « Planifier sans glisser » opens the card's form (fetched then), Karim
    chooses Ahmed, Wednesday afternoon, and the order lands there."""
    leak = f.work_order(world.nesmy, title="Fuite au gymnase", priority=WorkOrder.Priority.URGENT)
    browser_login(page, "chef.epci")
    page.goto(f"/bons/planning/?equipe={world.team.pk}&semaine={MONDAY.isoformat()}")
    card = page.locator(f'.wo-backlog [data-plan-url*="{leak.pk}"]')
    expect(card.get_by_label("Technicien")).to_have_count(0)  # not in the page until asked for
    card.get_by_text("Planifier sans glisser").focus()
    page.keyboard.press("Enter")
    card.get_by_label("Technicien").select_option(label="Ahmed Benali")
    card.get_by_label("Jour", exact=True).select_option("2026-03-04")
    card.get_by_label("Demi-journée").select_option("apres-midi")
    card.get_by_role("button", name="Planifier").click()
    cell = page.locator(f'td[data-technician="{world.ahmed.pk}"][data-day="2026-03-04"][data-slot="apres-midi"]')
    expect(cell).to_contain_text(leak.reference)
    with scopes_disabled():
        leak = WorkOrder.objects.get(pk=leak.pk)
        assert leak.status == WorkOrder.Status.PLANNED and list(leak.technicians.all()) == [world.ahmed]
        start = timezone.localtime(leak.planned_start)
        assert start.strftime("%A") == "Wednesday" and start.hour >= 12
