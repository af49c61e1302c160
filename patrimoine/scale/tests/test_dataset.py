"""The generated dataset is believable and consistent, and every benchmarked page answers on it."""

from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, Sum
from django_scopes import scopes_disabled

from patrimoine.core.services import reference_next
from patrimoine.costs.models import ExternalCost, MaterialLine, TimeEntry
from patrimoine.intake.models import WorkRequest
from patrimoine.organisations.models import Organisation
from patrimoine.scale import pagebench
from patrimoine.scale.dataset import Generator
from patrimoine.workorders.models import WorkOrder, WorkOrderTechnician

pytestmark = pytest.mark.django_db


@pytest.fixture
def generated():
    return Generator("tiny", seed=7, log=lambda line: None).run()


def _sums(model):
    return dict(
        model.objects.values_list("work_order").annotate(total=Sum("amount")).values_list("work_order", "total")
    )


@scopes_disabled()
def test_generated_orders_are_consistent_with_lines_requests_and_numbering(generated):
    labour, material, external = _sums(TimeEntry), _sums(MaterialLine), _sums(ExternalCost)
    orders = list(WorkOrder.objects.all())
    assert len(orders) == generated["rows"]["workorders.WorkOrder"] == 400
    for order in orders:
        assert order.labour_cost == labour.get(order.pk, Decimal("0"))
        assert order.material_cost == material.get(order.pk, Decimal("0"))
        assert order.external_cost == external.get(order.pk, Decimal("0"))
    assert {o.status for o in orders} >= {WorkOrder.Status.VALIDATED, WorkOrder.Status.CANCELLED}
    assert not WorkOrder.objects.filter(status=WorkOrder.Status.CANCELLED, total_cost__gt=0).exists()
    _requests_point_at_orders_of_their_commune()
    _named_technicians_sit_with_their_order()
    _numbering_goes_on_after_the_generated_orders()
    _each_commune_has_its_own_orders()
    _a_second_run_is_refused_in_french()


def _requests_point_at_orders_of_their_commune():
    accepted = WorkRequest.objects.filter(status=WorkRequest.Status.ACCEPTED).select_related("work_order")
    assert accepted.count() > 50
    assert all(r.work_order.organisation_id == r.organisation_id for r in accepted)
    assert WorkRequest.objects.filter(status=WorkRequest.Status.REJECTED).exclude(rejection_reason="").exists()


def _named_technicians_sit_with_their_order():
    named = WorkOrderTechnician.objects.values_list("organisation_id", "workorder__organisation_id")
    assert len(named) == 400
    assert all(mine == order for mine, order in named)


def _numbering_goes_on_after_the_generated_orders():
    commune = Organisation.objects.get(slug="gen-01")
    last = WorkOrder.objects.filter(organisation=commune, reference__startswith="BT-2026-").order_by("-reference")
    following = reference_next(organisation=commune, prefix="BT", year=2026)
    assert following > last.first().reference
    assert not WorkOrder.objects.filter(organisation=commune, reference=following).exists()


def _each_commune_has_its_own_orders():
    communes = Organisation.objects.filter(slug__startswith="gen-", parent__isnull=False)
    assert communes.count() == 2
    per_commune = dict(
        WorkOrder.objects.values_list("organisation").annotate(n=Count("id")).values_list("organisation", "n")
    )
    assert set(per_commune) == {c.pk for c in communes}


def _a_second_run_is_refused_in_french():
    with pytest.raises(CommandError, match="existe déjà"):
        call_command("generate_dataset", "--size", "tiny")


def test_every_benchmarked_page_answers_on_the_generated_data(generated):
    result = pagebench.run(repeat=1, warmup=0)
    answered = {page["page"]: page["status"] for page in result["pages"]}
    assert len(answered) >= 17
    assert all(status == [200] for status in answered.values()), answered
    assert all(page["sql_queries"] > 0 for page in result["pages"])
