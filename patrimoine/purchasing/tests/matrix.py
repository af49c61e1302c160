"""Venansault's purchasing and budget rows for the tenant isolation matrix (core/tests)."""

from decimal import Decimal

from django.utils import timezone
from django_scopes import scopes_disabled

from patrimoine.budgets.models import BudgetLine, WorkOrderImputation
from patrimoine.purchasing.models import Contract, Invoice, Lot, PriceLine, PurchaseOrder, PurchaseOrderLine

LIST_URLS = [
    "/achats/",
    "/achats/?q={q}",
    "/achats/?statut=en_cours",
    "/achats/marches/",
    "/budgets/",
    "/budgets/non-imputes/",
]


@scopes_disabled()
def venansault_purchasing(objects: dict, secret: str) -> dict:
    """A contract with a lot and its price, a committed purchase order on Venansault's work order with
    a line and an invoice, and the budget line it is charged to."""
    venansault, order = objects["venansault"], objects["order"]
    contractor = order.contractor
    today = timezone.localdate()
    line = BudgetLine.objects.create(
        organisation=venansault,
        year=today.year,
        code="011-615221",
        label=f"Entretien {secret}",
        amount=Decimal("5000"),
        is_default=True,
    )
    contract = Contract.objects.create(
        organisation=venansault,
        reference="2026-077",
        title=f"Marché {secret}",
        start_date=today.replace(month=1, day=1),
        end_date=today.replace(month=12, day=31),
    )
    lot = Lot.objects.create(
        organisation=venansault, contract=contract, number=1, title=f"Lot {secret}", contractor=contractor
    )
    price = PriceLine.objects.create(
        organisation=venansault, lot=lot, code="P1", label=f"Prix {secret}", unit="h", unit_price=Decimal("50")
    )
    purchase_order = PurchaseOrder.objects.create(
        organisation=venansault,
        reference="BC-2026-000077",
        title=f"Commande {secret}",
        contractor=contractor,
        lot=lot,
        work_order=order,
        budget_line=line,
        total_ht=Decimal("100.00"),
        total_ttc=Decimal("120.00"),
        status=PurchaseOrder.Status.COMMITTED,
        committed_at=timezone.now(),
    )
    po_line = PurchaseOrderLine.objects.create(
        organisation=venansault,
        purchase_order=purchase_order,
        price_line=price,
        label=price.label,
        unit="h",
        quantity=Decimal("2"),
        unit_price=Decimal("50"),
        amount_ht=Decimal("100.00"),
    )
    Invoice.objects.create(
        organisation=venansault,
        purchase_order=purchase_order,
        contractor=contractor,
        number=f"F-{secret}",
        date=today,
        amount_ht=Decimal("10.00"),
        amount_ttc=Decimal("12.00"),
    )
    return {
        "budget_line": line,
        "contract": contract,
        "lot": lot,
        "purchase_order": purchase_order,
        "po_line": po_line,
    }


def target(app: str, kind: str, objects: dict):
    """The object a purchasing or budgets URL points at, by the first word of its name."""
    if app == "purchasing":
        return {"order": objects["purchase_order"], "contract": objects["contract"], "lot": objects["lot"]}.get(kind)
    if app == "budgets":
        return {"line": objects["budget_line"], "imputation": objects["order"]}.get(kind)
    return None


@scopes_disabled()
def state() -> tuple:
    """What must not change when an outsider pokes at Venansault's purchasing and budget."""
    return (
        list(PurchaseOrder.objects.order_by("pk").values_list("status", "total_ht", "budget_line_id", "title")),
        PurchaseOrderLine.objects.count(),
        Invoice.objects.count(),
        Contract.objects.count(),
        Lot.objects.count(),
        PriceLine.objects.count(),
        list(BudgetLine.objects.order_by("pk").values_list("amount", "is_default", "code")),
        WorkOrderImputation.objects.count(),
    )
