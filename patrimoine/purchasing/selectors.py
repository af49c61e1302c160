"""Reads of contracts, purchase orders and invoices through the user's access.

A contractor's user sees his company's orders only (engaged or later: never a draft, nor an order
cancelled before it was engaged), and
among those linked to a work order only the ones whose work order he may see
(`work_orders_visible_to`, the same rule as the work-order pages). Team leads and technicians' roles
see their organisation's orders and those of the work orders they see; managers, admins and readers
every order of the organisations in scope (the EPCI's consolidated view included).
"""

from django.core.exceptions import ValidationError
from django.db.models import Count, DecimalField, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from patrimoine.contractors.models import Contractor
from patrimoine.organisations.access import Access
from patrimoine.organisations.models import Membership
from patrimoine.purchasing.models import Contract, Invoice, Lot, PriceLine, PurchaseOrder, PurchaseOrderLine
from patrimoine.workorders.models import WorkOrder
from patrimoine.workorders.selectors import work_orders_visible_to

Role = Membership.Role
MONEY = DecimalField(max_digits=14, decimal_places=2)


def purchase_orders_visible_to(access: Access) -> QuerySet[PurchaseOrder]:
    orders = PurchaseOrder.objects.all()
    if not access.has("purchasing.view"):
        return orders.none()
    visible_work_orders = work_orders_visible_to(access).values("pk")
    if access.role == Role.CONTRACTOR:
        if not access.contractor_id:
            return orders.none()
        never_sent = Q(status=PurchaseOrder.Status.DRAFT) | Q(
            status=PurchaseOrder.Status.CANCELLED, committed_at__isnull=True
        )
        return (
            orders.filter(contractor_id=access.contractor_id)
            .exclude(never_sent)
            .filter(Q(work_order__isnull=True) | Q(work_order__in=visible_work_orders))
        )
    if access.role in (Role.TEAM_LEAD, Role.TECHNICIAN):
        return orders.filter(Q(organisation_id=access.organisation.pk) | Q(work_order__in=visible_work_orders))
    return orders


def get_purchase_order_for(access: Access, pk) -> PurchaseOrder:
    try:
        return (
            purchase_orders_visible_to(access)
            .select_related("contractor", "lot__contract", "work_order", "budget_line", "organisation", "created_by")
            .get(pk=pk)
        )
    except (PurchaseOrder.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404 from exc


def purchase_orders_for_list(access: Access) -> QuerySet[PurchaseOrder]:
    """Visible orders with what a list row shows, and how much is invoiced (constant queries)."""
    return (
        purchase_orders_visible_to(access)
        .select_related("contractor", "lot__contract", "work_order", "budget_line", "organisation")
        .annotate(invoiced_ttc=Coalesce(Sum("invoices__amount_ttc"), Value(0), output_field=MONEY))
    )


def order_lines(order: PurchaseOrder) -> QuerySet[PurchaseOrderLine]:
    return PurchaseOrderLine.objects.filter(purchase_order=order).select_related("price_line").order_by("created_at")


def order_invoices(order: PurchaseOrder) -> QuerySet[Invoice]:
    return (
        Invoice.objects.filter(purchase_order=order)
        .select_related("external_cost", "created_by")
        .order_by("date", "created_at")
    )


def invoiced_totals(order: PurchaseOrder) -> dict:
    totals = Invoice._base_manager.filter(purchase_order_id=order.pk).aggregate(
        ht=Coalesce(Sum("amount_ht"), Value(0), output_field=MONEY),
        ttc=Coalesce(Sum("amount_ttc"), Value(0), output_field=MONEY),
        count=Count("pk"),
    )
    return totals


# --- Contracts ----------------------------------------------------------------------------------------


def contracts_visible_to(access: Access) -> QuerySet[Contract]:
    """Contracts of the organisations in scope, for the roles that follow purchasing (not contractors)."""
    if not access.has("purchasing.view") or access.role == Role.CONTRACTOR:
        return Contract.objects.none()
    return Contract.objects.filter(organisation_id__in=access.read_org_ids)


def get_contract_for(access: Access, pk) -> Contract:
    try:
        return contracts_visible_to(access).select_related("organisation").get(pk=pk)
    except (Contract.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404 from exc


def contracts_for_list(access: Access) -> QuerySet[Contract]:
    return (
        contracts_visible_to(access)
        .select_related("organisation")
        .annotate(lots_count=Count("lots", distinct=True))
        .prefetch_related(Prefetch("lots", queryset=Lot.objects.select_related("contractor").order_by("number")))
        .order_by("-start_date", "reference")
    )


def contract_lots(contract: Contract) -> list[Lot]:
    """The lots of a contract with their price schedules and what was ordered on each (HT)."""
    engaged = [PurchaseOrder.Status.COMMITTED, PurchaseOrder.Status.RECEIVED, PurchaseOrder.Status.SETTLED]
    return list(
        Lot.objects.filter(contract=contract)
        .select_related("contractor", "trade")
        .annotate(
            ordered_ht=Coalesce(
                Sum("orders__total_ht", filter=Q(orders__status__in=engaged)), Value(0), output_field=MONEY
            )
        )
        .prefetch_related(Prefetch("prices", queryset=PriceLine.objects.order_by("code")))
        .order_by("number")
    )


def get_lot_for(access: Access, pk) -> Lot:
    try:
        return Lot.objects.filter(contract__in=contracts_visible_to(access)).select_related("contract").get(pk=pk)
    except (Lot.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404 from exc


def lots_for_orders(access: Access, organisation_id: int) -> QuerySet[Lot]:
    """Lots a new order of this organisation may be placed on."""
    return (
        Lot.objects.filter(organisation_id=organisation_id)
        .select_related("contract", "contractor")
        .order_by("contract__reference", "number")
    )


def contractors_of(organisation_id: int) -> QuerySet[Contractor]:
    return Contractor.objects.filter(organisation_id=organisation_id).order_by("name")


def work_order_by_reference(access: Access, reference: str) -> WorkOrder | None:
    """A work order of the active organisation the user may see, by its number (« BT-2026-000123 »)."""
    reference = (reference or "").strip().upper()
    if not reference or access.organisation is None:
        return None
    return work_orders_visible_to(access).filter(organisation_id=access.organisation.pk, reference=reference).first()


def purchase_orders_of_work_order(access: Access, work_order: WorkOrder) -> QuerySet[PurchaseOrder]:
    return purchase_orders_visible_to(access).filter(work_order=work_order).select_related("contractor")


def prices_of_order(order: PurchaseOrder) -> QuerySet[PriceLine] | None:
    """The unit price schedule an order's lines come from (None for an order outside any contract)."""
    if order.lot_id is None:
        return None
    return PriceLine.objects.filter(lot_id=order.lot_id).order_by("code")


def get_order_line_for(order: PurchaseOrder, pk) -> PurchaseOrderLine:
    """A line of an order the user may already see, or 404."""
    try:
        return PurchaseOrderLine.objects.get(purchase_order=order, pk=pk)
    except (PurchaseOrderLine.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404 from exc
