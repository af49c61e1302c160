"""Purchase orders through their statuses, to the cent: BPU lines, commitment on a budget line,
invoices matched (and refused with French messages), the external cost added to the work order."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from conftest import access_of
from patrimoine.core.errors import DomainError, PermissionRefused
from patrimoine.core.models import AuditEntry
from patrimoine.costs.models import ExternalCost
from patrimoine.purchasing import services
from patrimoine.purchasing.models import Invoice, PurchaseOrder, PurchaseOrderLine
from patrimoine.purchasing.tests.conftest import budget_line, contract
from patrimoine.workorders.models import WorkOrder

pytestmark = pytest.mark.django_db
Status = PurchaseOrder.Status
D = Decimal


def _order(shop, *, lot=True, work_order=True, who="manager", **extra):
    with scopes_disabled():
        return services.purchase_order_create(
            access=access_of(shop[who]),
            title="Chauffe-eau de l'école",
            lot=shop["lot"] if lot else None,
            contractor=None if lot else shop["durand"],
            work_order=shop["order"] if work_order else None,
            **extra,
        )


def _line(shop, order, code, quantity):
    with scopes_disabled():
        return services.purchase_order_line_add(
            access=access_of(shop["manager"]), order=order, price_line=shop["prices"][code], quantity=quantity
        )


def _committed(shop, *lines):
    order = _order(shop)
    for code, quantity in lines or (("P7", "1"), ("P9", "1"), ("P1", "3.5")):
        _line(shop, order, code, quantity)
    with scopes_disabled():
        services.purchase_order_commit(access=access_of(shop["manager"]), order=order)
    return order


def _invoice(shop, order, number, ht, ttc, who="manager"):
    with scopes_disabled():
        return services.invoice_record(
            access=access_of(shop[who]),
            order=order,
            number=number,
            date=timezone.localdate(),
            amount_ht=ht,
            amount_ttc=ttc,
        )


def _state():
    with scopes_disabled():
        return (
            list(PurchaseOrder.objects.order_by("pk").values_list("status", "total_ht", "total_ttc", "budget_line_id")),
            PurchaseOrderLine.objects.count(),
            Invoice.objects.count(),
            ExternalCost.objects.count(),
            AuditEntry.objects.count(),
        )


def test_bpu_lines_make_the_totals_to_the_cent(shop):
    order = _order(shop)
    line = _line(shop, order, "P1", "3.5")
    assert (line.label, line.unit_price, line.amount_ht) == ("Heure de plombier", D("52.00"), D("182.00"))
    _line(shop, order, "P7", "1")
    _line(shop, order, "P9", "1")
    # 182 + 890 + 38,50 = 1 110,50 HT; × 1,20 = 1 332,60 TTC
    assert (order.total_ht, order.total_ttc) == (D("1110.50"), D("1332.60"))
    assert order.reference.startswith(f"BC-{timezone.localdate().year}-")


def test_an_order_on_a_contract_takes_only_its_lots_prices(shop):
    order = _order(shop)
    before = _state()
    with pytest.raises(DomainError, match="prix du bordereau"), scopes_disabled():
        services.purchase_order_line_add(
            access=access_of(shop["manager"]), order=order, label="Autre chose", unit_price="10", quantity="1"
        )
    assert _state() == before


def test_an_order_outside_any_contract_takes_free_lines(shop):
    order = _order(shop, lot=False)
    with scopes_disabled():
        line = services.purchase_order_line_add(
            access=access_of(shop["manager"]),
            order=order,
            label="Dépannage urgent",
            unit="forfait",
            unit_price="240",
            quantity="1",
        )
    assert line.amount_ht == D("240.00") and order.total_ttc == D("288.00")


def test_the_lot_holder_is_the_only_contractor_of_an_order_on_the_lot(shop):
    with pytest.raises(DomainError, match="titulaire de ce lot est Plomberie Durand"), scopes_disabled():
        services.purchase_order_create(
            access=access_of(shop["manager"]), title="x", lot=shop["lot"], contractor=shop["other"]
        )


def test_commitment_goes_to_the_work_orders_line_else_the_default_one(shop):
    specific = budget_line(shop["nesmy"], "011-615221-212", "20000.00", building=shop["school"])
    order = _committed(shop)
    assert order.status == Status.COMMITTED and order.budget_line_id == specific.pk
    no_work_order = _order(shop, work_order=False)
    _line(shop, no_work_order, "P1", "1")
    with scopes_disabled():
        services.purchase_order_commit(access=access_of(shop["manager"]), order=no_work_order)
    assert no_work_order.budget_line_id == shop["maintenance"].pk


def test_commitment_beyond_the_remaining_credits_is_refused_and_changes_nothing(shop):
    small = budget_line(shop["nesmy"], "011-6156", "1000.00")
    order = _order(shop, budget_line=small)
    _line(shop, order, "P7", "1")  # 890 HT = 1 068 TTC
    before = _state()
    with pytest.raises(DomainError) as refusal, scopes_disabled():
        services.purchase_order_commit(access=access_of(shop["manager"]), order=order)
    assert refusal.value.message == (
        "Crédits insuffisants sur la ligne « 011-6156 — Ligne 011-6156 » : reste 1\u202f000,00\u00a0€, "
        "cette commande engage 1\u202f068,00\u00a0€ TTC."
    )
    assert _state() == before


def test_commitment_past_the_alert_threshold_warns(shop):
    line = budget_line(shop["nesmy"], "011-6156", "1100.00", alert_threshold=D("90"))
    order = _order(shop, budget_line=line)
    _line(shop, order, "P7", "1")  # 1 068 TTC = 97,1 %
    with scopes_disabled():
        commitment = services.purchase_order_commit(access=access_of(shop["manager"]), order=order)
    assert commitment.alert == "Attention : la ligne « 011-6156 » est consommée à 97,1 % (reste 32,00\u00a0€)."


def test_a_contract_out_of_force_or_a_lots_maximum_refuse_the_commitment(shop, f):
    old = contract(
        shop["nesmy"],
        shop["other"],
        reference="2020-001",
        start=timezone.localdate() - timedelta(days=900),
        end=timezone.localdate() - timedelta(days=30),
    )
    with scopes_disabled():
        order = services.purchase_order_create(access=access_of(shop["manager"]), title="x", lot=old)
        services.purchase_order_line_add(
            access=access_of(shop["manager"]), order=order, price_line=old.prices.get(), quantity="1"
        )
    with pytest.raises(DomainError, match="n'est pas en vigueur"), scopes_disabled():
        services.purchase_order_commit(access=access_of(shop["manager"]), order=order)

    capped = contract(shop["nesmy"], shop["other"], reference="2026-020", max_amount_ht=D("100.00"))
    with scopes_disabled():
        order = services.purchase_order_create(access=access_of(shop["manager"]), title="x", lot=capped)
        services.purchase_order_line_add(
            access=access_of(shop["manager"]), order=order, price_line=capped.prices.get(), quantity="2"
        )
    with pytest.raises(DomainError, match="montant maximum du lot 1"), scopes_disabled():
        services.purchase_order_commit(access=access_of(shop["manager"]), order=order)


def test_an_invoice_beyond_what_remains_is_refused_with_the_amounts(shop):
    order = _committed(shop)  # 1 110,50 HT
    before = _state()
    with pytest.raises(DomainError) as refusal:
        _invoice(shop, order, "F-1", "1200.00", "1440.00")
    assert refusal.value.message == (
        f"Le montant ne correspond pas au bon de commande {order.reference} : "
        "cette facture fait 1\u202f200,00\u00a0€ HT, il reste 1\u202f110,50\u00a0€ HT à facturer "
        "(commande 1\u202f110,50\u00a0€ HT, déjà facturé 0,00\u00a0€ HT)."
    )
    assert _state() == before


def test_an_invoice_whose_vat_does_not_fit_the_order_is_refused(shop):
    order = _committed(shop)
    with pytest.raises(DomainError, match="ne correspond pas au montant HT avec la TVA"):
        _invoice(shop, order, "F-1", "1110.50", "1200.00")


def test_invoices_settle_the_order_and_add_external_costs_to_the_work_order(shop):
    order = _committed(shop)
    first = _invoice(shop, order, "F-2026-101", "600.00", "720.00")
    assert (first.settled, first.cost_added) == (False, True)
    with scopes_disabled():
        order.refresh_from_db()
    assert order.status == Status.COMMITTED
    second = _invoice(shop, order, "F-2026-102", "510.50", "612.60")
    assert second.settled
    with scopes_disabled():
        order.refresh_from_db()
        work_order = WorkOrder.objects.get(pk=shop["order"].pk)
        costs = list(ExternalCost.objects.filter(work_order=work_order).order_by("created_at"))
    assert order.status == Status.SETTLED
    assert [(c.amount, c.invoice_reference, c.contractor_id) for c in costs] == [
        (D("720.00"), "F-2026-101", shop["durand"].pk),
        (D("612.60"), "F-2026-102", shop["durand"].pk),
    ]
    assert work_order.external_cost == D("1332.60") == order.total_ttc


def test_an_invoice_on_a_closed_work_order_counts_but_does_not_reopen_its_cost(shop):
    order = _committed(shop)
    with scopes_disabled():
        WorkOrder.objects.filter(pk=shop["order"].pk).update(status=WorkOrder.Status.VALIDATED)
    match = _invoice(shop, order, "F-9", "100.00", "120.00")
    assert (match.cost_added, match.work_order_closed) == (False, True)
    with scopes_disabled():
        assert not ExternalCost.objects.exists()


def test_the_same_invoice_cannot_be_recorded_twice(shop):
    order = _committed(shop)
    _invoice(shop, order, "F-1", "100.00", "120.00")
    with pytest.raises(DomainError, match="déjà enregistrée"):
        _invoice(shop, order, "F-1", "100.00", "120.00")


def test_a_draft_cannot_be_invoiced_and_an_invoiced_order_cannot_be_cancelled(shop):
    draft = _order(shop)
    _line(shop, draft, "P1", "1")
    with pytest.raises(DomainError, match="engagé ou reçu"):
        _invoice(shop, draft, "F-1", "52.00", "62.40")
    order = _committed(shop)
    _invoice(shop, order, "F-2", "100.00", "120.00")
    before = _state()
    with pytest.raises(DomainError, match="ne peut plus être annulé"), scopes_disabled():
        services.purchase_order_cancel(access=access_of(shop["manager"]), order=order, reason="erreur")
    assert _state() == before


def test_received_then_settled(shop):
    order = _committed(shop, ("P1", "2"))
    with scopes_disabled():
        services.purchase_order_receive(access=access_of(shop["manager"]), order=order)
    assert order.status == Status.RECEIVED
    assert _invoice(shop, order, "F-3", "104.00", "124.80").settled


@pytest.mark.parametrize("who", ["chef", "reader", "tech", "durand_user", "v_manager"])
def test_only_managers_of_the_organisation_handle_orders(shop, who):
    order = _order(shop)
    before = _state()
    with pytest.raises(PermissionRefused), scopes_disabled():
        services.purchase_order_line_add(
            access=access_of(shop[who]), order=order, price_line=shop["prices"]["P1"], quantity="1"
        )
    assert _state() == before
