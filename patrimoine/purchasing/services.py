"""Writes on purchasing: contracts, lots and their price schedules (BPU), purchase orders through
their statuses, and invoices matched to the orders.

A purchase order lives as brouillon (lines may change) → engagé (charged to a budget line, refused
when the line's remaining credits are too low) → reçu (service fait) → soldé when its invoices add up
to its total; it may be annulé until an invoice is matched. An invoice may not exceed what remains
to invoice; when the order is on a work order, the invoice adds an external cost to the work order
through `costs.services.external_cost_add` (unless the work order is already closed).
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from patrimoine.budgets.models import BudgetLine
from patrimoine.budgets.selectors import default_line_for, line_status
from patrimoine.core.errors import DomainError, PermissionRefused
from patrimoine.core.services import audit_record, reference_next
from patrimoine.core.templatetags.formatting import format_euros
from patrimoine.costs.services import CLOSED_STATUSES, external_cost_add
from patrimoine.organisations.access import Access
from patrimoine.purchasing.models import Contract, Invoice, Lot, PriceLine, PurchaseOrder, PurchaseOrderLine
from patrimoine.workorders.models import WorkOrder

Status = PurchaseOrder.Status
CENT = Decimal("0.01")
QTY = Decimal("0.001")
ZERO = Decimal("0.00")
VAT_TOLERANCE = CENT  # an invoice's VAT may differ by a cent from the order's rate (rounding per line)


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _decimal(value, message: str) -> Decimal:
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).replace(",", "."))
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise DomainError(message) from exc
    if not number.is_finite():
        raise DomainError(message)
    return number


def _require_manage(access: Access, organisation_id: int | None, message: str | None = None) -> None:
    if organisation_id is None or not access.has("purchasing.manage") or organisation_id not in access.write_org_ids:
        raise PermissionRefused(message or _("Votre rôle ne permet pas de gérer les achats de cette collectivité."))


def _lock(order: PurchaseOrder) -> PurchaseOrder:
    """The order row, locked and read fresh (its status and totals)."""
    fresh = PurchaseOrder._base_manager.select_for_update().filter(pk=order.pk).first()
    if fresh is None:
        raise DomainError(_("Ce bon de commande n'existe plus."))
    for name in ("status", "total_ht", "total_ttc", "budget_line_id"):
        setattr(order, name, getattr(fresh, name))
    return order


def _set_status(order: PurchaseOrder, status: str, **fields) -> None:
    PurchaseOrder._base_manager.filter(pk=order.pk).update(status=status, updated_at=timezone.now(), **fields)
    order.status = status
    for name, value in fields.items():
        setattr(order, name, value)


# --- Contracts, lots, price schedules ---------------------------------------------------------------


@transaction.atomic
def contract_create(
    *, access: Access, reference: str, title: str, procedure: str, start_date: date, end_date: date
) -> Contract:
    organisation_id = getattr(access.organisation, "pk", None)
    _require_manage(access, organisation_id)
    reference, title = (reference or "").strip().upper()[:40], (title or "").strip()[:200]
    if not reference or not title:
        raise DomainError(_("Indiquez le numéro et l'objet du marché."))
    if procedure not in Contract.Procedure.values:
        raise DomainError(_("Choisissez la procédure du marché."))
    if end_date < start_date:
        raise DomainError(_("La fin du marché doit suivre son début."))
    if Contract._base_manager.filter(organisation_id=organisation_id, reference=reference).exists():
        raise DomainError(_("Le marché n° %(ref)s existe déjà.") % {"ref": reference})
    contract = Contract._base_manager.create(
        organisation_id=organisation_id,
        reference=reference,
        title=title,
        procedure=procedure,
        start_date=start_date,
        end_date=end_date,
    )
    audit_record(actor=access.user, action="purchasing.contract_create", target=contract, message=str(contract))
    return contract


@transaction.atomic
def lot_add(
    *, access: Access, contract: Contract, number: int, title: str, contractor, trade=None, max_amount_ht=None
) -> Lot:
    _require_manage(access, contract.organisation_id)
    title = (title or "").strip()[:200]
    if not title or not number or int(number) < 1:
        raise DomainError(_("Indiquez le numéro et l'intitulé du lot."))
    if contractor.organisation_id != contract.organisation_id:
        raise DomainError(_("Ce prestataire n'est pas référencé par cette collectivité."))
    if Lot._base_manager.filter(contract=contract, number=number).exists():
        raise DomainError(_("Le lot n° %(n)s existe déjà dans ce marché.") % {"n": number})
    maximum = None
    if max_amount_ht not in (None, ""):
        maximum = money(_decimal(max_amount_ht, _("Le montant maximum est un montant positif.")))
        if maximum <= 0:
            raise DomainError(_("Le montant maximum est un montant positif."))
    lot = Lot._base_manager.create(
        organisation_id=contract.organisation_id,
        contract=contract,
        number=int(number),
        title=title,
        contractor=contractor,
        trade=trade,
        max_amount_ht=maximum,
    )
    audit_record(actor=access.user, action="purchasing.lot_add", target=lot, message=f"{contract.reference} {lot}")
    return lot


@transaction.atomic
def price_line_add(*, access: Access, lot: Lot, code: str, label: str, unit: str, unit_price) -> PriceLine:
    _require_manage(access, lot.organisation_id)
    code, label, unit = (code or "").strip()[:20], (label or "").strip()[:200], (unit or "u").strip()[:20]
    if not code or not label:
        raise DomainError(_("Indiquez le n° de prix et la désignation."))
    price = money(_decimal(unit_price, _("Le prix unitaire est un montant positif ou nul.")))
    if price < 0:
        raise DomainError(_("Le prix unitaire est un montant positif ou nul."))
    if PriceLine._base_manager.filter(lot=lot, code=code).exists():
        raise DomainError(_("Le prix n° %(code)s existe déjà dans ce lot.") % {"code": code})
    line = PriceLine._base_manager.create(
        organisation_id=lot.organisation_id, lot=lot, code=code, label=label, unit=unit, unit_price=price
    )
    audit_record(actor=access.user, action="purchasing.price_add", target=line, message=f"{code} {label} {price} €")
    return line


# --- Purchase orders ----------------------------------------------------------------------------------


def _check_links(order_org: int, *, contractor, lot, work_order, budget_line) -> None:
    if contractor.organisation_id != order_org:
        raise DomainError(_("Ce prestataire n'est pas référencé par cette collectivité."))
    if lot is not None:
        if lot.organisation_id != order_org:
            raise DomainError(_("Ce lot n'appartient pas aux marchés de cette collectivité."))
        if lot.contractor_id != contractor.pk:
            raise DomainError(
                _("Le titulaire de ce lot est %(holder)s : commandez-lui, ou passez une commande hors marché.")
                % {"holder": lot.contractor}
            )
    if work_order is not None and work_order.organisation_id != order_org:
        raise DomainError(_("Ce bon de travail n'appartient pas à cette collectivité."))
    if budget_line is not None and budget_line.organisation_id != order_org:
        raise DomainError(_("Cette ligne n'appartient pas au budget de cette collectivité."))


def _vat(value) -> Decimal:
    rate = _decimal(value, _("Le taux de TVA est un pourcentage entre 0 et 100.")).quantize(CENT)
    if not 0 <= rate <= 100:
        raise DomainError(_("Le taux de TVA est un pourcentage entre 0 et 100."))
    return rate


@transaction.atomic
def purchase_order_create(
    *,
    access: Access,
    title: str,
    contractor=None,
    lot: Lot | None = None,
    work_order=None,
    budget_line: BudgetLine | None = None,
    vat_rate=Decimal("20"),
) -> PurchaseOrder:
    """A draft order of the active organisation (on a lot of a contract, or outside any contract)."""
    organisation = access.organisation
    _require_manage(access, getattr(organisation, "pk", None))
    title = (title or "").strip()[:200]
    if not title:
        raise DomainError(_("Indiquez l'objet de la commande."))
    if contractor is None and lot is not None:
        contractor = lot.contractor
    if contractor is None:
        raise DomainError(_("Choisissez le prestataire."))
    _check_links(organisation.pk, contractor=contractor, lot=lot, work_order=work_order, budget_line=budget_line)
    order = PurchaseOrder._base_manager.create(
        organisation=organisation,
        reference=reference_next(organisation=organisation, prefix="BC"),
        title=title,
        contractor=contractor,
        lot=lot,
        work_order=work_order,
        budget_line=budget_line,
        vat_rate=_vat(vat_rate),
        created_by=access.user,
    )
    audit_record(actor=access.user, action="purchasing.order_create", target=order, message=str(order))
    return order


@transaction.atomic
def purchase_order_update(
    *, access: Access, order: PurchaseOrder, title: str, work_order=None, budget_line=None, vat_rate=None
) -> PurchaseOrder:
    """Change a draft's object, work order, budget line or VAT rate."""
    _require_manage(access, order.organisation_id)
    _lock(order)
    if order.status != Status.DRAFT:
        raise DomainError(_("Seul un bon de commande en brouillon peut être modifié."))
    title = (title or "").strip()[:200]
    if not title:
        raise DomainError(_("Indiquez l'objet de la commande."))
    _check_links(
        order.organisation_id,
        contractor=order.contractor,
        lot=order.lot,
        work_order=work_order,
        budget_line=budget_line,
    )
    fields = {"title": title, "work_order": work_order, "budget_line": budget_line}
    if vat_rate is not None:
        fields["vat_rate"] = _vat(vat_rate)
    PurchaseOrder._base_manager.filter(pk=order.pk).update(**fields, updated_at=timezone.now())
    for name, value in fields.items():
        setattr(order, name, value)
    _recompute(order)
    audit_record(actor=access.user, action="purchasing.order_change", target=order, message=str(order))
    return order


def _recompute(order: PurchaseOrder) -> None:
    """Totals from the lines (SQL sum), TTC at the order's VAT rate on the total."""
    total_ht = PurchaseOrderLine._base_manager.filter(purchase_order_id=order.pk).aggregate(
        s=Coalesce(Sum("amount_ht"), ZERO)
    )["s"]
    total_ht = money(Decimal(total_ht))
    total_ttc = money(total_ht * (1 + order.vat_rate / 100))
    PurchaseOrder._base_manager.filter(pk=order.pk).update(
        total_ht=total_ht, total_ttc=total_ttc, updated_at=timezone.now()
    )
    order.total_ht, order.total_ttc = total_ht, total_ttc


@transaction.atomic
def purchase_order_line_add(
    *,
    access: Access,
    order: PurchaseOrder,
    quantity,
    price_line: PriceLine | None = None,
    label: str = "",
    unit: str = "",
    unit_price=None,
) -> PurchaseOrderLine:
    """A line of a draft: a price of the lot's schedule (BPU) at its unit price, or, outside any
    contract, a free line at a given price."""
    _require_manage(access, order.organisation_id)
    _lock(order)
    if order.status != Status.DRAFT:
        raise DomainError(_("Seul un bon de commande en brouillon peut être modifié."))
    quantity = _decimal(quantity, _("Indiquez une quantité positive.")).quantize(QTY, rounding=ROUND_HALF_UP)
    if quantity <= 0:
        raise DomainError(_("Indiquez une quantité positive."))
    if order.lot_id is not None:
        if price_line is None:
            raise DomainError(_("Choisissez un prix du bordereau du lot : la commande est passée sur un marché."))
        if price_line.lot_id != order.lot_id:
            raise DomainError(_("Ce prix n'appartient pas au bordereau du lot de la commande."))
        label, unit, price = price_line.label, price_line.unit, price_line.unit_price
    else:
        if price_line is not None:
            raise DomainError(_("Cette commande est hors marché : saisissez une ligne à prix libre."))
        label, unit = (label or "").strip()[:200], (unit or "u").strip()[:20]
        if not label:
            raise DomainError(_("Indiquez la désignation de la ligne."))
        if unit_price in (None, ""):
            raise DomainError(_("Indiquez le prix unitaire HT."))
        price = money(_decimal(unit_price, _("Le prix unitaire est un montant positif ou nul.")))
        if price < 0:
            raise DomainError(_("Le prix unitaire est un montant positif ou nul."))
    line = PurchaseOrderLine._base_manager.create(
        organisation_id=order.organisation_id,
        purchase_order=order,
        price_line=price_line,
        label=label,
        unit=unit,
        quantity=quantity,
        unit_price=price,
        amount_ht=money(quantity * price),
    )
    _recompute(order)
    audit_record(
        actor=access.user,
        action="purchasing.order_line_add",
        target=order,
        message=f"{label} × {quantity} = {line.amount_ht} € HT",
        data={"line": str(line.pk), "amount_ht": str(line.amount_ht)},
    )
    return line


@transaction.atomic
def purchase_order_line_remove(*, access: Access, line: PurchaseOrderLine) -> PurchaseOrder:
    order = PurchaseOrder._base_manager.get(pk=line.purchase_order_id)
    _require_manage(access, order.organisation_id)
    _lock(order)
    if order.status != Status.DRAFT:
        raise DomainError(_("Seul un bon de commande en brouillon peut être modifié."))
    PurchaseOrderLine._base_manager.filter(pk=line.pk).delete()
    _recompute(order)
    audit_record(
        actor=access.user,
        action="purchasing.order_line_remove",
        target=order,
        message=f"{line.label} ({line.amount_ht} € HT)",
    )
    return order


@dataclass
class Commitment:
    order: PurchaseOrder
    alert: str = ""  # a warning when the budget line reached its alert threshold


@transaction.atomic
def purchase_order_commit(*, access: Access, order: PurchaseOrder) -> Commitment:
    """Engage a draft on its budget line (chosen, else its work order's line, else the default one):
    refused when the line's remaining credits are lower than the order's total, when the contract
    is not in force today, or when the lot's maximum would be passed."""
    _require_manage(access, order.organisation_id, _("Votre rôle ne permet pas d'engager ce bon de commande."))
    _lock(order)
    if order.status != Status.DRAFT:
        raise DomainError(_("Ce bon de commande est déjà engagé."))
    if order.total_ht <= 0:
        raise DomainError(_("Ajoutez au moins une ligne avant d'engager la commande."))
    today = timezone.localdate()
    line = (
        order.budget_line
        if order.budget_line_id
        else default_line_for(order.organisation_id, today.year, order.work_order)
    )
    if line is None:
        raise DomainError(
            _("Choisissez la ligne budgétaire %(year)s sur laquelle engager cette commande.") % {"year": today.year}
        )
    if line.year != today.year:
        raise DomainError(
            _("La ligne « %(code)s » appartient au budget %(line_year)s : engagez sur l'exercice %(year)s.")
            % {"code": line.code, "line_year": line.year, "year": today.year}
        )
    if order.lot_id is not None:
        contract = order.lot.contract
        if not contract.start_date <= today <= contract.end_date:
            raise DomainError(
                _("Le marché %(ref)s n'est pas en vigueur aujourd'hui (du %(start)s au %(end)s).")
                % {
                    "ref": contract.reference,
                    "start": contract.start_date.strftime("%d/%m/%Y"),
                    "end": contract.end_date.strftime("%d/%m/%Y"),
                }
            )
        maximum = order.lot.max_amount_ht
        if maximum is not None:
            engaged = PurchaseOrder._base_manager.filter(
                lot_id=order.lot_id, status__in=[Status.COMMITTED, Status.RECEIVED, Status.SETTLED]
            ).aggregate(s=Coalesce(Sum("total_ht"), ZERO))["s"]
            if engaged + order.total_ht > maximum:
                raise DomainError(
                    _(
                        "Le montant maximum du lot %(lot)s (%(max)s HT) serait dépassé : déjà commandé %(engaged)s HT, "
                        "cette commande %(total)s HT."
                    )
                    % {
                        "lot": order.lot.number,
                        "max": format_euros(maximum),
                        "engaged": format_euros(engaged),
                        "total": format_euros(order.total_ht),
                    }
                )
    BudgetLine._base_manager.select_for_update().filter(pk=line.pk).first()  # one commitment at a time per line
    status = line_status(line)
    if order.total_ttc > status.remaining:
        raise DomainError(
            _(
                "Crédits insuffisants sur la ligne « %(code)s — %(label)s » : reste %(remaining)s, "
                "cette commande engage %(total)s TTC."
            )
            % {
                "code": line.code,
                "label": line.label,
                "remaining": format_euros(status.remaining),
                "total": format_euros(order.total_ttc),
            }
        )
    _set_status(order, Status.COMMITTED, committed_at=timezone.now(), budget_line=line)
    audit_record(
        actor=access.user,
        action="purchasing.order_commit",
        target=order,
        message=f"{order.reference} engagé {order.total_ttc} € TTC sur {line.code}",
        data={"budget_line": str(line.pk), "total_ttc": str(order.total_ttc)},
    )
    after = status.consumed + order.total_ttc
    alert = ""
    if line.amount > 0 and after * 100 / line.amount >= line.alert_threshold:
        alert = _("Attention : la ligne « %(code)s » est consommée à %(rate)s %% (reste %(remaining)s).") % {
            "code": line.code,
            "rate": str((after * 100 / line.amount).quantize(Decimal("0.1"))).replace(".", ","),
            "remaining": format_euros(line.amount - after),
        }
    return Commitment(order=order, alert=alert)


@transaction.atomic
def purchase_order_receive(*, access: Access, order: PurchaseOrder) -> PurchaseOrder:
    """Service fait: the goods or works were delivered."""
    _require_manage(access, order.organisation_id)
    _lock(order)
    if order.status != Status.COMMITTED:
        raise DomainError(_("Seul un bon de commande engagé peut être réceptionné."))
    _set_status(order, Status.RECEIVED, received_at=timezone.now())
    audit_record(actor=access.user, action="purchasing.order_receive", target=order, message=order.reference)
    return order


@transaction.atomic
def purchase_order_cancel(*, access: Access, order: PurchaseOrder, reason: str) -> PurchaseOrder:
    _require_manage(access, order.organisation_id)
    _lock(order)
    reason = (reason or "").strip()[:300]
    if order.status in (Status.SETTLED, Status.CANCELLED):
        raise DomainError(_("Ce bon de commande est clos : il ne peut plus être annulé."))
    if Invoice._base_manager.filter(purchase_order_id=order.pk).exists():
        raise DomainError(_("Une facture est rapprochée de ce bon de commande : il ne peut plus être annulé."))
    if not reason:
        raise DomainError(_("Indiquez le motif de l'annulation."))
    _set_status(order, Status.CANCELLED, cancelled_at=timezone.now(), cancel_reason=reason)
    audit_record(
        actor=access.user, action="purchasing.order_cancel", target=order, message=f"{order.reference} : {reason}"
    )
    return order


# --- Invoices -------------------------------------------------------------------------------------------


@dataclass
class InvoiceMatch:
    invoice: Invoice
    settled: bool
    cost_added: bool  # an external cost was added to the order's work order
    work_order_closed: bool


@transaction.atomic
def invoice_record(
    *, access: Access, order: PurchaseOrder, number: str, date: date, amount_ht, amount_ttc
) -> InvoiceMatch:
    """Match a supplier's invoice to an engaged (or received) order. Refused with the amounts in French
    when it passes what remains to invoice or when its VAT does not fit the order's rate. The order is
    soldé when its invoices reach its total."""
    _require_manage(access, order.organisation_id, _("Votre rôle ne permet pas de rapprocher une facture."))
    _lock(order)
    if order.status not in PurchaseOrder.OPEN_STATUSES:
        raise DomainError(
            _("Une facture se rapproche d'un bon de commande engagé ou reçu (celui-ci est « %(status)s »).")
            % {"status": Status(order.status).label}
        )
    number = (number or "").strip()[:60]
    if not number:
        raise DomainError(_("Indiquez le numéro de la facture."))
    if date > timezone.localdate():
        raise DomainError(_("La date de la facture ne peut pas être dans le futur."))
    amount_ht = money(_decimal(amount_ht, _("Le montant HT doit être positif.")))
    amount_ttc = money(_decimal(amount_ttc, _("Le montant TTC doit être positif.")))
    if amount_ht <= 0 or amount_ttc <= 0:
        raise DomainError(_("Les montants de la facture doivent être positifs."))
    if Invoice._base_manager.filter(
        organisation_id=order.organisation_id, contractor_id=order.contractor_id, number=number
    ).exists():
        raise DomainError(
            _("La facture n° %(number)s de %(contractor)s est déjà enregistrée.")
            % {"number": number, "contractor": order.contractor}
        )
    invoiced = Invoice._base_manager.filter(purchase_order_id=order.pk).aggregate(s=Coalesce(Sum("amount_ht"), ZERO))[
        "s"
    ]
    remaining = order.total_ht - invoiced
    if amount_ht > remaining:
        raise DomainError(
            _(
                "Le montant ne correspond pas au bon de commande %(ref)s : cette facture fait %(amount)s HT, "
                "il reste %(remaining)s HT à facturer (commande %(total)s HT, déjà facturé %(invoiced)s HT)."
            )
            % {
                "ref": order.reference,
                "amount": format_euros(amount_ht),
                "remaining": format_euros(remaining),
                "total": format_euros(order.total_ht),
                "invoiced": format_euros(invoiced),
            }
        )
    expected_ttc = money(amount_ht * (1 + order.vat_rate / 100))
    if abs(amount_ttc - expected_ttc) > VAT_TOLERANCE:
        raise DomainError(
            _(
                "Le montant TTC (%(ttc)s) ne correspond pas au montant HT avec la TVA du bon de commande "
                "(%(rate)s %%) : attendu %(expected)s."
            )
            % {
                "ttc": format_euros(amount_ttc),
                "rate": order.vat_rate.normalize(),
                "expected": format_euros(expected_ttc),
            }
        )
    invoice = Invoice._base_manager.create(
        organisation_id=order.organisation_id,
        purchase_order=order,
        contractor_id=order.contractor_id,
        number=number,
        date=date,
        amount_ht=amount_ht,
        amount_ttc=amount_ttc,
        created_by=access.user,
    )
    settled = amount_ht == remaining
    if settled:
        _set_status(order, Status.SETTLED, settled_at=timezone.now())
    cost_added = closed = False
    work_order = WorkOrder._base_manager.filter(pk=order.work_order_id).first() if order.work_order_id else None
    if work_order is not None:
        closed = work_order.status in CLOSED_STATUSES
        if not closed:
            cost = external_cost_add(
                access=access,
                work_order=work_order,
                description=_("Facture %(number)s — %(ref)s") % {"number": number, "ref": order.reference},
                amount=amount_ttc,
                contractor=order.contractor,
                invoice_reference=number,
            )
            Invoice._base_manager.filter(pk=invoice.pk).update(external_cost=cost)
            invoice.external_cost = cost
            cost_added = True
    audit_record(
        actor=access.user,
        action="purchasing.invoice_record",
        target=order,
        message=f"{number} : {amount_ht} € HT / {amount_ttc} € TTC" + (" — soldé" if settled else ""),
        data={"invoice": str(invoice.pk), "amount_ttc": str(amount_ttc), "settled": settled},
    )
    return InvoiceMatch(invoice=invoice, settled=settled, cost_added=cost_added, work_order_closed=closed)
