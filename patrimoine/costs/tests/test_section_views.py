"""The cost section of a work order through its views: htmx and plain posts, errors in place."""

import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from conftest import access_of
from patrimoine.costs import services
from patrimoine.costs.models import ExternalCost, LabourRate, MaterialLine, TimeEntry
from patrimoine.organisations.models import Membership
from patrimoine.workorders.models import WorkOrder

pytestmark = [pytest.mark.django_db]
Role = Membership.Role
HTMX = {"HTTP_HX_REQUEST": "true"}


def _url(name, order, *args):
    return reverse(f"costs:{name}", args=[order.pk, *args])


def _count(model, order):
    with scopes_disabled():
        return model.objects.filter(work_order=order).count()


def _total(order):
    with scopes_disabled():
        return WorkOrder.objects.get(pk=order.pk).total_cost


def test_technician_adds_time_typed_as_hours_and_minutes(login, world):
    client = login(world["ahmed"])
    order = world["order"]
    response = client.get(_url("work-order", order), **HTMX)
    assert response.status_code == 200
    assert 'name="temps-hours"' in response.content.decode()

    today = date.today().isoformat()
    response = client.post(
        _url("time-add", order),
        {"temps-technician": world["ahmed"].pk, "temps-date": today, "temps-hours": "1h45"},
        **HTMX,
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "1\u00a0h\u00a045" in html and "67,20\u00a0€" in html
    assert "Temps enregistré" in html
    with scopes_disabled():
        entry = TimeEntry.objects.get(work_order=order)
    assert (entry.hours, entry.amount) == (Decimal("1.75"), Decimal("67.20"))


@pytest.mark.parametrize("typed", ["1,75", "1.75", "1 h 45", "105 min"])
def test_hours_are_understood_the_french_way(login, world, typed):
    client = login(world["ahmed"])
    client.post(
        _url("time-add", world["order"]),
        {"temps-technician": world["ahmed"].pk, "temps-date": date.today().isoformat(), "temps-hours": typed},
        **HTMX,
    )
    with scopes_disabled():
        assert TimeEntry.objects.get(work_order=world["order"]).hours == Decimal("1.75")


@pytest.mark.parametrize("typed", ["25", "0", "1h75", "beaucoup", ""])
def test_bad_hours_answer_400_with_the_french_error_in_place(login, world, typed):
    client = login(world["ahmed"])
    response = client.post(
        _url("time-add", world["order"]),
        {"temps-technician": world["ahmed"].pk, "temps-date": date.today().isoformat(), "temps-hours": typed},
        **HTMX,
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "field--error" in html
    assert ("compris entre 0,01 et 24 heures" in html) or ("Ce champ est obligatoire" in html)
    assert f'value="{typed}"' in html or not typed  # what was typed is kept
    assert html.lstrip().startswith("<section") or "<section" in html[:400]  # the fragment, not a page
    assert _count(TimeEntry, world["order"]) == 0


def test_service_refusal_shows_in_the_form(login, world):
    with scopes_disabled():
        LabourRate.objects.all().delete()
    response = login(world["ahmed"]).post(
        _url("time-add", world["order"]),
        {"temps-technician": world["ahmed"].pk, "temps-date": date.today().isoformat(), "temps-hours": "1"},
        **HTMX,
    )
    assert response.status_code == 400
    assert "Aucun taux horaire n&#x27;est défini" in response.content.decode()


def test_without_javascript_a_post_redirects_and_an_error_renders_a_page(login, world):
    client = login(world["ahmed"])
    ok = client.post(
        _url("time-add", world["order"]),
        {"temps-technician": world["ahmed"].pk, "temps-date": date.today().isoformat(), "temps-hours": "2"},
    )
    assert ok.status_code == 302
    bad = client.post(
        _url("time-add", world["order"]),
        {"temps-technician": world["ahmed"].pk, "temps-date": date.today().isoformat(), "temps-hours": "30"},
    )
    assert bad.status_code == 400
    html = bad.content.decode()
    assert "<h1>" in html and "compris entre 0,01 et 24 heures" in html
    assert _count(TimeEntry, world["order"]) == 1


def test_material_from_the_catalogue_and_a_free_line(login, world):
    client = login(world["ahmed"])
    order = world["order"]
    client.post(_url("material-add", order), {"materiel-item": world["joint"].pk, "materiel-quantity": "2"}, **HTMX)
    response = client.post(
        _url("material-add", order),
        {"materiel-label": "Silicone sanitaire", "materiel-unit_cost": "6,50", "materiel-quantity": "1"},
        **HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Joint fibre 20/27" in html and "Silicone sanitaire" in html
    assert "8,20\u00a0€" in html  # 1,70 + 6,50
    assert _total(order) == Decimal("8.20")


def test_material_without_item_nor_label_is_refused(login, world):
    response = login(world["ahmed"]).post(_url("material-add", world["order"]), {"materiel-quantity": "2"}, **HTMX)
    assert response.status_code == 400
    assert "Choisissez un article du catalogue" in response.content.decode()
    assert _count(MaterialLine, world["order"]) == 0


def test_another_communes_item_cannot_be_posted(login, world):
    response = login(world["ahmed"]).post(
        _url("material-add", world["order"]),
        {"materiel-item": world["venansault_item"].pk, "materiel-quantity": "1"},
        **HTMX,
    )
    assert response.status_code == 400
    assert _count(MaterialLine, world["order"]) == 0


def test_lead_adds_an_external_cost_with_a_french_amount(login, world):
    response = login(world["chef"]).post(
        _url("external-add", world["order"]),
        {"presta-description": "Location nacelle", "presta-amount": "1 250,50", "presta-invoice_reference": "F-12"},
        **HTMX,
    )
    assert response.status_code == 200
    assert "1\u202f250,50\u00a0€" in response.content.decode()
    assert _total(world["order"]) == Decimal("1250.50")


def test_technician_has_no_external_cost_form_and_cannot_post_one(login, world):
    client = login(world["ahmed"])
    page = client.get(_url("work-order", world["order"]), **HTMX).content.decode()
    assert "presta-description" not in page
    response = client.post(
        _url("external-add", world["order"]), {"presta-description": "X", "presta-amount": "10"}, **HTMX
    )
    assert response.status_code == 403
    assert _count(ExternalCost, world["order"]) == 0


def test_the_same_form_posted_twice_records_one_line(login, world):
    client = login(world["ahmed"])
    data = {
        "temps-technician": world["ahmed"].pk,
        "temps-date": date.today().isoformat(),
        "temps-hours": "1",
        "temps-client_uuid": str(uuid.uuid4()),
    }
    client.post(_url("time-add", world["order"]), data, **HTMX)
    client.post(_url("time-add", world["order"]), data, **HTMX)
    assert _count(TimeEntry, world["order"]) == 1


def test_remove_a_line(login, world):
    with scopes_disabled():
        entry = services.time_entry_add(
            access=access_of(world["ahmed"]),
            work_order=world["order"],
            technician=world["ahmed"],
            date=date.today(),
            hours="1",
        )
    response = login(world["ahmed"]).post(_url("line-remove", world["order"], "temps", entry.pk), **HTMX)
    assert response.status_code == 200
    assert "Ligne retirée" in response.content.decode()
    assert _count(TimeEntry, world["order"]) == 0 and _total(world["order"]) == Decimal("0.00")


def test_a_validated_order_shows_no_forms_and_refuses_posts(login, world):
    with scopes_disabled():
        WorkOrder.objects.filter(pk=world["order"].pk).update(status=WorkOrder.Status.VALIDATED)
    client = login(world["chef"])
    page = client.get(_url("work-order", world["order"]), **HTMX).content.decode()
    assert "temps-hours" not in page and "clos" in page
    response = client.post(
        _url("material-add", world["order"]), {"materiel-item": world["joint"].pk, "materiel-quantity": "1"}, **HTMX
    )
    assert response.status_code == 400
    assert "Ce bon de travail est clos" in response.content.decode()
    assert _count(MaterialLine, world["order"]) == 0


def test_the_technicians_choosable_are_the_team_members(login, world):
    chef_page = login(world["chef"]).get(_url("work-order", world["order"]), **HTMX).content.decode()
    assert "Ahmed Benali" in chef_page and "Lucas Martin" in chef_page
    assert "technicien.venansault" not in chef_page


def test_another_communes_user_gets_404_everywhere(f, login, world):
    outsider = f.user("chef.venansault", role=Role.TEAM_LEAD, organisation=world["venansault"])
    client = login(outsider)
    order = world["order"]
    assert client.get(_url("work-order", order)).status_code == 404
    assert client.post(_url("time-add", order), {"temps-hours": "1", "temps-date": date.today()}).status_code == 404
    assert client.post(_url("material-add", order), {"materiel-item": world["joint"].pk}).status_code == 404
    assert client.post(_url("external-add", order), {"presta-amount": "1"}).status_code == 404
    assert client.post(_url("line-remove", order, "temps", uuid.uuid4())).status_code == 404
    assert client.get(reverse("costs:work-order", args=[uuid.uuid4()])).status_code == 404


def test_a_technician_of_another_team_cannot_post_time(login, world):
    paul = world["paul"]  # Venansault's own technician; the order is Nesmy's, done by the EPCI team
    response = login(paul).post(
        _url("time-add", world["order"]),
        {"temps-technician": paul.pk, "temps-date": date.today().isoformat(), "temps-hours": "1"},
    )
    assert response.status_code == 404
    assert _count(TimeEntry, world["order"]) == 0


def test_a_reader_sees_the_costs_but_has_no_forms_and_cannot_post(f, login, world):
    reader = f.user("lecteur.epci", role=Role.READER, organisation=world["epci"])
    client = login(reader)
    page = client.get(_url("work-order", world["order"]), **HTMX)
    assert page.status_code == 200
    assert "Saisir du temps" not in page.content.decode()
    response = client.post(
        _url("material-add", world["order"]), {"materiel-item": world["joint"].pk, "materiel-quantity": "1"}
    )
    assert response.status_code == 403
    assert _count(MaterialLine, world["order"]) == 0
