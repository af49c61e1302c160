"""Budget pages through the Django client: the year's budget with alerts, a line, the line forms,
imputation of a work order; another commune's user gets 404 and sees nothing; constant queries."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from patrimoine.budgets.models import BudgetLine, WorkOrderImputation
from patrimoine.core.models import AuditEntry
from patrimoine.purchasing.tests.conftest import THIS_YEAR, budget_line
from patrimoine.workorders.models import WorkOrder

pytestmark = pytest.mark.django_db
D = Decimal
PARIS = ZoneInfo("Europe/Paris")


def validated(f, shop, total, **extra):
    return f.work_order(
        shop["nesmy"],
        status=WorkOrder.Status.VALIDATED,
        validated_at=datetime(THIS_YEAR, 2, 3, 9, tzinfo=PARIS),
        labour_cost=D(total),
        total_cost=D(total),
        **extra,
    )


def _state():
    with scopes_disabled():
        return (
            list(BudgetLine.objects.order_by("pk").values_list("code", "amount", "is_default")),
            list(WorkOrderImputation.objects.values_list("work_order_id", "budget_line_id")),
            AuditEntry.objects.count(),
        )


def test_budget_page_shows_each_line_to_the_cent_with_its_alert(login, f, shop):
    line = budget_line(shop["nesmy"], "011-6156", "1000.00", building=shop["school"])
    validated(f, shop, "950.00", building_obj=shop["school"])
    validated(f, shop, "123.45")
    html = login(shop["reader"]).get(reverse("budgets:overview")).content.decode()
    assert "Section de fonctionnement" in html
    assert "950,00\u00a0€" in html and "50,00\u00a0€" in html  # realised and remaining of 011-6156
    assert "9\u202f876,55\u00a0€" in html  # 10 000 − 123,45 on the default line
    assert "seuil de 90 % atteint" in html and f'href="/budgets/lignes/{line.pk}/"' in html
    assert "Zyxwvu" not in html


def test_manager_creates_a_line_and_a_reader_cannot(login, shop):
    data = {
        "year": THIS_YEAR,
        "section": "investissement",
        "code": "21-2135",
        "label": "Travaux école",
        "amount": "25 000",
        "alert_threshold": "85",
    }
    before = _state()
    assert login(shop["reader"]).post(reverse("budgets:line-create"), data).status_code == 403
    assert _state() == before
    response = login(shop["manager"]).post(reverse("budgets:line-create"), data)
    assert response.status_code == 302
    with scopes_disabled():
        line = BudgetLine.objects.get(code="21-2135")
    assert (line.amount, line.alert_threshold, line.organisation_id) == (D("25000.00"), D("85"), shop["nesmy"].pk)


def test_duplicate_code_is_refused_in_french(login, shop):
    response = login(shop["manager"]).post(
        reverse("budgets:line-create"),
        {
            "year": THIS_YEAR,
            "section": "fonctionnement",
            "code": "011-615221",
            "label": "x",
            "amount": "1",
            "alert_threshold": "90",
        },
    )
    assert response.status_code == 400 and "existe déjà dans le budget" in response.content.decode()


def test_line_page_lists_its_work_orders_and_orders(login, f, shop):
    wo = validated(f, shop, "77.70", title="Fuite sanitaires")
    html = login(shop["manager"]).get(reverse("budgets:line-detail", args=[shop["maintenance"].pk])).content.decode()
    assert "Fuite sanitaires" in html and "77,70\u00a0€" in html and reverse("budgets:imputation", args=[wo.pk]) in html


def test_imputation_moves_a_work_order_to_another_line(login, f, shop):
    wo = validated(f, shop, "300.00")
    capital = budget_line(shop["nesmy"], "21-2135", "5000.00", section="investissement")
    client = login(shop["manager"])
    assert client.get(reverse("budgets:imputation", args=[wo.pk])).status_code == 200
    response = client.post(reverse("budgets:imputation", args=[wo.pk]), {"budget_line": capital.pk})
    assert response.status_code == 302
    html = client.get(reverse("budgets:line-detail", args=[capital.pk])).content.decode()
    assert wo.reference in html and "300,00\u00a0€" in html


def test_unimputed_orders_are_listed_when_no_default_line(login, f, shop):
    with scopes_disabled():
        BudgetLine.objects.filter(pk=shop["maintenance"].pk).update(is_default=False)
    wo = validated(f, shop, "42.00", title="Sans ligne")
    client = login(shop["manager"])
    assert "1 bon de travail validé en" in client.get(reverse("budgets:overview")).content.decode()
    assert "Sans ligne" in client.get(reverse("budgets:unimputed")).content.decode()
    assert wo.reference


def test_another_communes_user_gets_404_and_changes_nothing(login, f, shop):
    wo = validated(f, shop, "10.00")
    client = login(shop["v_manager"])
    for url in (
        reverse("budgets:line-detail", args=[shop["maintenance"].pk]),
        reverse("budgets:line-edit", args=[shop["maintenance"].pk]),
        reverse("budgets:imputation", args=[wo.pk]),
    ):
        assert client.get(url).status_code == 404, url
    before = _state()
    assert (
        client.post(reverse("budgets:imputation", args=[wo.pk]), {"budget_line": shop["v_line"].pk}).status_code == 404
    )
    assert client.post(reverse("budgets:line-edit", args=[shop["maintenance"].pk]), {"amount": "1"}).status_code == 404
    assert _state() == before
    html = client.get(reverse("budgets:overview"), {"collectivite": shop["nesmy"].pk}).content.decode()
    assert "Entretien des bâtiments" not in html and "Entretien Zyxwvu" in html


def test_technicians_and_contractors_have_no_budget_pages(login, shop):
    for who in ("tech", "durand_user"):
        assert login(shop[who]).get(reverse("budgets:overview")).status_code == 403


def test_budget_page_query_count_does_not_grow_with_lines_and_orders(login, f, shop, django_assert_num_queries):
    client = login(shop["manager"])
    for n in range(3):
        budget_line(shop["nesmy"], f"L{n}", "100")
        validated(f, shop, "1")
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("budgets:overview"))
    for n in range(3, 30):
        budget_line(shop["nesmy"], f"L{n}", "100", building=f.building(shop["nesmy"]))
        validated(f, shop, "1")
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(reverse("budgets:overview"))
