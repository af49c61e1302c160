"""Journeys 1 and 2 in real headless Chromium: Nadia reports a leak, Karim accepts it in one click."""

import pytest
from django.core import mail
from django_scopes import scopes_disabled

from conftest import browser_login
from patrimoine.intake.models import WorkRequest
from patrimoine.intake.tests.conftest import jpeg
from patrimoine.workorders.models import WorkOrder

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_nadia_reports_a_leak_with_a_photo_and_karim_accepts_it_in_one_click(world, page, tmp_path):
    photo = tmp_path / "fuite.jpg"
    photo.write_bytes(jpeg().read())

    browser_login(page, "demandeur.nesmy")
    page.get_by_role("link", name="Signaler un problème").first.click()
    assert page.get_by_label("Bâtiment", exact=True).input_value() == str(world.school.pk)
    page.get_by_label("Décrivez le problème").fill("fuite sous l'évier de la cantine, l'eau coule par terre")
    page.get_by_label("Urgent", exact=True).check()
    page.get_by_label("Photos (facultatif)").set_input_files(str(photo))
    page.get_by_role("button", name="Envoyer la demande").click()
    page.wait_for_load_state()

    with scopes_disabled():
        request = WorkRequest.objects.get()
    assert f"Votre demande {request.reference} est enregistrée" in page.content()
    assert page.get_by_text("Reçue — en attente de tri").is_visible()
    assert page.locator(".photo-grid img").count() == 1
    assert [m.to for m in mail.outbox] == [["demandeur.nesmy@example.org"]]
    page.get_by_role("button", name="Se déconnecter").click()

    browser_login(page, "chef.epci")
    page.goto("/demandes/")
    row = page.locator(f"#request-{request.pk}")
    assert row.locator(".badge--urgent").is_visible()
    assert "Plomberie" in row.inner_text()
    url_before = page.url
    row.get_by_role("button", name="Accepter").click()
    page.locator(f"#request-{request.pk}").get_by_text("Acceptée — intervention à planifier").wait_for()
    assert page.url == url_before  # swapped in place by htmx, no reload
    assert page.locator("#triage-stats .stat__value").first.inner_text() == "0"
    with scopes_disabled():
        order = WorkOrder.objects.get()
    assert (order.trade.code, order.priority) == ("plomberie", WorkOrder.Priority.URGENT)


def test_choosing_another_building_refreshes_its_equipment(world, page, f):
    f.equipment(world.town_hall, name="Chaudière de la mairie")
    f.equipment(world.school, name="Chauffe-eau de la cantine")
    browser_login(page, "demandeur.nesmy")
    page.goto("/demandes/nouvelle/")
    equipment = page.get_by_label("Équipement concerné (facultatif)")
    assert "Chauffe-eau de la cantine" in equipment.inner_text()
    page.get_by_label("Bâtiment", exact=True).select_option(str(world.town_hall.pk))
    page.get_by_text("Chaudière de la mairie").wait_for(state="attached")
    assert "Chauffe-eau de la cantine" not in page.get_by_label("Équipement concerné (facultatif)").inner_text()
