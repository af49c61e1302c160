"""Writes on the stock: receipts, issues to work orders, transfers, returns, inventory counts,
thresholds, stores, items and their supplier references.

Every movement locks the item row first (`select_for_update`: its CUMP is the valuation of every
store), then the stock rows it touches, updates quantities with `F()` and appends one row to the
ledger, all in one transaction that also writes the audit row. Refusals raise a French
`DomainError` before anything is written (or inside the transaction, which then rolls back).

Issues to a work order are made by `patrimoine.costs.services.material_line_add` (a material line
« sorti du magasin »), so the work order's cost and the store's value move together; removing that
line returns the goods through `stock_return_material_line`.
"""

import uuid
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import transaction
from django.db.models import F, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from patrimoine.core.errors import DomainError, PermissionRefused
from patrimoine.core.services import audit_record
from patrimoine.organisations.access import Access
from patrimoine.stock.models import Item, StockLevel, StockMovement, StockSettings, Store, SupplierReference
from patrimoine.stock.selectors import catalogue_organisation_ids

Kind = StockMovement.Kind
QTY = Decimal("0.001")
COST = Decimal("0.0001")
CENT = Decimal("0.01")
ZERO = Decimal("0")


# --- Numbers ------------------------------------------------------------------------------------


def _decimal(value, message: str) -> Decimal:
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).replace(",", "."))
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise DomainError(message) from exc
    if not number.is_finite():
        raise DomainError(message)
    return number


def positive_quantity(value) -> Decimal:
    message = _("Indiquez une quantité positive.")
    quantity = _decimal(value, message).quantize(QTY, rounding=ROUND_HALF_UP)
    if quantity <= 0:
        raise DomainError(message)
    return quantity


def _unit_price(value) -> Decimal:
    message = _("Le prix unitaire doit être un montant positif ou nul.")
    price = _decimal(value, message).quantize(COST, rounding=ROUND_HALF_UP)
    if price < 0:
        raise DomainError(message)
    return price


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def weighted_average_cost(on_hand: Decimal, cump: Decimal, quantity_in: Decimal, price: Decimal) -> Decimal:
    """The CUMP after `quantity_in` enter at `price`: (on_hand × cump + quantity_in × price) / (on_hand +
    quantity_in), to 4 decimals. With nothing (or less than nothing) on hand, the new price is the CUMP."""
    if on_hand <= 0:
        return price.quantize(COST, rounding=ROUND_HALF_UP)
    total = on_hand * cump + quantity_in * price
    return (total / (on_hand + quantity_in)).quantize(COST, rounding=ROUND_HALF_UP)


def format_quantity(value: Decimal) -> str:
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


# --- Locks and the one writer of the ledger ------------------------------------------------------


def lock_item(item: Item) -> Item:
    """The item row, locked for the transaction and read fresh (its CUMP may have just changed)."""
    locked = Item._base_manager.select_for_update().filter(pk=item.pk).first()
    if locked is None:
        raise DomainError(_("Cet article n'existe plus."))
    return locked


def _lock_level(store: Store, item: Item) -> StockLevel:
    """The stock row of `item` in `store`, created at zero if missing, locked for the transaction."""
    level = StockLevel._base_manager.select_for_update().filter(store_id=store.pk, item_id=item.pk).first()
    if level is None:
        StockLevel._base_manager.create(organisation_id=store.organisation_id, store=store, item=item)
        level = StockLevel._base_manager.select_for_update().get(store_id=store.pk, item_id=item.pk)
    return level


def _on_hand(item: Item) -> Decimal:
    """Quantity of the item in all its organisation's stores (the CUMP's weight)."""
    return StockLevel._base_manager.filter(item_id=item.pk).aggregate(s=Coalesce(Sum("quantity"), ZERO))["s"]


def _append(
    *, kind: str, level: StockLevel, item: Item, quantity: Decimal, unit_cost: Decimal, actor, **extra
) -> StockMovement:
    """Move `quantity` (signed) of the locked `level` with F() and write the ledger row."""
    StockLevel._base_manager.filter(pk=level.pk).update(quantity=F("quantity") + quantity, updated_at=timezone.now())
    level.refresh_from_db(fields=["quantity"])
    return StockMovement._base_manager.create(
        organisation_id=level.organisation_id,
        kind=kind,
        store_id=level.store_id,
        item=item,
        quantity=quantity,
        unit_cost=unit_cost,
        amount=money(quantity * unit_cost),
        quantity_after=level.quantity,
        cump_after=item.unit_cost,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        **extra,
    )


def _when(at) -> dict:
    """The movement's date: now, or an earlier moment (a delivery recorded the next morning, an import)."""
    if at is None:
        return {}
    if at > timezone.now():
        raise DomainError(_("La date d'un mouvement ne peut pas être dans le futur."))
    return {"at": at}


def _set_cump(item: Item, cump: Decimal) -> None:
    if cump != item.unit_cost:
        Item._base_manager.filter(pk=item.pk).update(unit_cost=cump, updated_at=timezone.now())
        item.unit_cost = cump


def negative_stock_allowed(organisation_id: int) -> bool:
    return StockSettings._base_manager.filter(organisation_id=organisation_id, allow_negative_stock=True).exists()


def _refuse_shortage(store: Store, item: Item, level: StockLevel, quantity: Decimal) -> None:
    if level.quantity - quantity < 0 and not negative_stock_allowed(store.organisation_id):
        available = max(level.quantity, ZERO)
        raise DomainError(
            _(
                "Stock insuffisant au magasin « %(store)s » : %(available)s %(unit)s de « %(item)s » disponible(s), "
                "%(wanted)s demandé(s). Rien n'a été sorti."
            )
            % {
                "store": store.name,
                "available": format_quantity(available),
                "unit": item.unit,
                "item": item.label,
                "wanted": format_quantity(quantity),
            }
        )


def _check_pair(store: Store, item: Item) -> None:
    if item.organisation_id != store.organisation_id:
        raise DomainError(_("Cet article n'appartient pas au catalogue de ce magasin."))
    if not store.is_active:
        raise DomainError(_("Ce magasin est fermé."))
    if not item.is_active:
        raise DomainError(_("Cet article n'est plus au catalogue."))


def _require(access: Access, action: str, store: Store, message: str) -> None:
    if not access.can(action, store):
        raise PermissionRefused(message)


# --- Movements ----------------------------------------------------------------------------------


@transaction.atomic
def stock_receive(
    *,
    access: Access,
    store: Store,
    item: Item,
    quantity,
    unit_price,
    supplier=None,
    document_reference: str = "",
    note: str = "",
    at=None,
) -> StockMovement:
    """Goods delivered into `store` at `unit_price` (€ HT): the quantity rises and the CUMP is recomputed."""
    _require(access, "stock.move", store, _("Votre rôle ne permet pas d'enregistrer une entrée dans ce magasin."))
    _check_pair(store, item)
    quantity, price = positive_quantity(quantity), _unit_price(unit_price)
    when = _when(at)
    if supplier is not None and supplier.organisation_id != store.organisation_id:
        raise DomainError(_("Ce fournisseur n'est pas référencé par cette collectivité."))
    item = lock_item(item)
    level = _lock_level(store, item)
    _set_cump(item, weighted_average_cost(_on_hand(item), item.unit_cost, quantity, price))
    movement = _append(
        kind=Kind.RECEIPT,
        level=level,
        item=item,
        quantity=quantity,
        unit_cost=price,
        actor=access.user,
        supplier=supplier,
        document_reference=(document_reference or "").strip()[:60],
        note=(note or "").strip()[:200],
        **when,
    )
    if supplier is not None:
        SupplierReference._base_manager.filter(item=item, supplier=supplier).update(
            last_price=price, updated_at=timezone.now()
        )
    audit_record(
        actor=access.user,
        action="stock.receive",
        target=movement,
        message=f"{item.reference} +{quantity} × {price} € → CUMP {item.unit_cost} € ({store.code})",
        data={"item": str(item.pk), "store": str(store.pk), "quantity": str(quantity), "price": str(price)},
    )
    return movement


@transaction.atomic
def stock_issue(
    *,
    access: Access,
    store: Store,
    item: Item,
    quantity,
    work_order,
    material_line_id=None,
    at=None,
) -> StockMovement:
    """`quantity` leaves `store` for `work_order` at the current CUMP. Refused (nothing written) when
    the store holds less, unless the organisation allows negative stock.

    Called by `costs.services.material_line_add`, which checked that the user may report on the order
    and locked it; the line it creates carries the movement's unit cost."""
    _require(access, "stock.issue", store, _("Votre rôle ne permet pas de sortir du matériel de ce magasin."))
    _check_pair(store, item)
    if store.organisation_id not in catalogue_organisation_ids(work_order):
        raise DomainError(_("Ce magasin ne peut pas fournir ce bon de travail."))
    quantity = positive_quantity(quantity)
    when = _when(at)
    item = lock_item(item)
    level = _lock_level(store, item)
    _refuse_shortage(store, item, level, quantity)
    movement = _append(
        kind=Kind.ISSUE,
        level=level,
        item=item,
        quantity=-quantity,
        unit_cost=item.unit_cost,
        actor=access.user,
        work_order=work_order,
        material_line_id=material_line_id,
        **when,
    )
    audit_record(
        actor=access.user,
        action="stock.issue",
        target=movement,
        message=f"{item.reference} −{quantity} × {item.unit_cost} € → {work_order.reference} ({store.code})",
        data={
            "item": str(item.pk),
            "store": str(store.pk),
            "quantity": str(quantity),
            "work_order": str(work_order.pk),
        },
    )
    return movement


@transaction.atomic
def stock_return_material_line(*, access: Access, material_line) -> list[StockMovement]:
    """Put back in their store the goods issued for a material line that is being removed, at the
    unit cost they left at (the CUMP is recomputed as for a receipt at that cost).

    Called by `costs.services.cost_line_remove` after its own check that the user may remove the line."""
    issues = list(
        StockMovement._base_manager.filter(material_line_id=material_line.pk, kind=Kind.ISSUE)
        .select_related("store", "item")
        .order_by("created_at")
    )
    if StockMovement._base_manager.filter(material_line_id=material_line.pk, kind=Kind.RETURN).exists():
        return []
    returns = []
    for issue in issues:
        item = lock_item(issue.item)
        level = _lock_level(issue.store, item)
        quantity = -issue.quantity
        _set_cump(item, weighted_average_cost(_on_hand(item), item.unit_cost, quantity, issue.unit_cost))
        movement = _append(
            kind=Kind.RETURN,
            level=level,
            item=item,
            quantity=quantity,
            unit_cost=issue.unit_cost,
            actor=access.user,
            work_order_id=issue.work_order_id,
            material_line_id=material_line.pk,
            note=_("Ligne de matériel retirée du bon de travail"),
        )
        audit_record(
            actor=access.user,
            action="stock.return",
            target=movement,
            message=f"{item.reference} +{quantity} × {issue.unit_cost} € ({issue.store.code})",
            data={"item": str(item.pk), "store": str(issue.store_id), "quantity": str(quantity)},
        )
        returns.append(movement)
    return returns


@transaction.atomic
def stock_transfer(
    *, access: Access, from_store: Store, to_store: Store, item: Item, quantity, note: str = "", at=None
) -> tuple[StockMovement, StockMovement]:
    """Move goods between two stores of the same organisation, at the current CUMP (which does not change)."""
    message = _("Votre rôle ne permet pas de transférer du matériel entre ces magasins.")
    _require(access, "stock.move", from_store, message)
    _require(access, "stock.move", to_store, message)
    if from_store.pk == to_store.pk:
        raise DomainError(_("Choisissez un magasin de destination différent du magasin de départ."))
    if from_store.organisation_id != to_store.organisation_id:
        raise DomainError(_("Un transfert se fait entre deux magasins de la même collectivité."))
    _check_pair(from_store, item)
    _check_pair(to_store, item)
    quantity = positive_quantity(quantity)
    when = _when(at)
    item = lock_item(item)
    first, second = sorted([from_store, to_store], key=lambda s: str(s.pk))  # always lock in the same order
    levels = {first.pk: _lock_level(first, item), second.pk: _lock_level(second, item)}
    _refuse_shortage(from_store, item, levels[from_store.pk], quantity)
    transfer_id = uuid.uuid4()
    note = (note or "").strip()[:200]
    out = _append(
        kind=Kind.TRANSFER_OUT,
        level=levels[from_store.pk],
        item=item,
        quantity=-quantity,
        unit_cost=item.unit_cost,
        actor=access.user,
        transfer_id=transfer_id,
        other_store=to_store,
        note=note,
        **when,
    )
    into = _append(
        kind=Kind.TRANSFER_IN,
        level=levels[to_store.pk],
        item=item,
        quantity=quantity,
        unit_cost=item.unit_cost,
        actor=access.user,
        transfer_id=transfer_id,
        other_store=from_store,
        note=note,
        **when,
    )
    audit_record(
        actor=access.user,
        action="stock.transfer",
        target=out,
        message=f"{item.reference} {quantity} : {from_store.code} → {to_store.code}",
        data={"item": str(item.pk), "from": str(from_store.pk), "to": str(to_store.pk), "quantity": str(quantity)},
    )
    return out, into


@transaction.atomic
def stock_count_record(*, access: Access, store: Store, counted: dict, note: str = "", at=None) -> list[StockMovement]:
    """An inventory count: `counted` maps items to the quantity found on the shelves. Each difference
    with the book quantity becomes an adjustment movement at the current CUMP."""
    _require(access, "stock.manage", store, _("Votre rôle ne permet pas de saisir un inventaire."))
    if not store.is_active:
        raise DomainError(_("Ce magasin est fermé."))
    if not counted:
        raise DomainError(_("Saisissez au moins une quantité comptée."))
    cleaned = {}
    for item, value in counted.items():
        if item.organisation_id != store.organisation_id:
            raise DomainError(_("Cet article n'appartient pas au catalogue de ce magasin."))
        quantity = _decimal(value, _("Les quantités comptées sont des nombres positifs ou nuls.")).quantize(
            QTY, rounding=ROUND_HALF_UP
        )
        if quantity < 0:
            raise DomainError(_("Les quantités comptées sont des nombres positifs ou nuls."))
        cleaned[item] = quantity
    note = (note or "").strip()[:200] or _("Inventaire")
    when = _when(at)
    movements = []
    for item, quantity in sorted(cleaned.items(), key=lambda pair: str(pair[0].pk)):
        locked = lock_item(item)
        level = _lock_level(store, locked)
        delta = quantity - level.quantity
        if delta == 0:
            continue
        movements.append(
            _append(
                kind=Kind.ADJUSTMENT,
                level=level,
                item=locked,
                quantity=delta,
                unit_cost=locked.unit_cost,
                actor=access.user,
                note=note,
                **when,
            )
        )
    audit_record(
        actor=access.user,
        action="stock.count",
        target=store,
        message=f"{len(cleaned)} article(s) compté(s), {len(movements)} écart(s)",
        data={"counted": len(cleaned), "adjustments": [str(m.pk) for m in movements]},
    )
    return movements


# --- Thresholds, settings, stores, items -----------------------------------------------------------


@transaction.atomic
def stock_threshold_set(*, access: Access, store: Store, item: Item, threshold) -> StockLevel:
    """Set (or clear with None) the reorder threshold of an item in a store."""
    _require(access, "stock.manage", store, _("Votre rôle ne permet pas de fixer les seuils de ce magasin."))
    _check_pair(store, item)
    if threshold not in (None, ""):
        threshold = _decimal(threshold, _("Le seuil est un nombre positif ou nul.")).quantize(QTY)
        if threshold < 0:
            raise DomainError(_("Le seuil est un nombre positif ou nul."))
    else:
        threshold = None
    level = _lock_level(store, item)
    StockLevel._base_manager.filter(pk=level.pk).update(reorder_threshold=threshold, updated_at=timezone.now())
    level.reorder_threshold = threshold
    audit_record(
        actor=access.user,
        action="stock.threshold",
        target=level,
        message=f"{item.reference} @ {store.code} : seuil {threshold}",
        data={"threshold": str(threshold) if threshold is not None else None},
    )
    return level


@transaction.atomic
def stock_settings_save(*, access: Access, allow_negative_stock: bool) -> StockSettings:
    organisation = access.organisation
    if organisation is None or not access.has("stock.manage"):
        raise PermissionRefused(_("Votre rôle ne permet pas de changer les réglages du stock."))
    settings_row, _created = StockSettings._base_manager.get_or_create(organisation=organisation)
    StockSettings._base_manager.filter(pk=settings_row.pk).update(
        allow_negative_stock=bool(allow_negative_stock), updated_at=timezone.now()
    )
    settings_row.allow_negative_stock = bool(allow_negative_stock)
    audit_record(
        actor=access.user,
        action="stock.settings",
        target=settings_row,
        message=f"stock négatif autorisé : {bool(allow_negative_stock)}",
    )
    return settings_row


@transaction.atomic
def store_create(*, access: Access, code: str, name: str, site=None) -> Store:
    organisation = access.organisation
    if organisation is None or not access.has("stock.manage"):
        raise PermissionRefused(_("Votre rôle ne permet pas de créer un magasin."))
    code, name = (code or "").strip().upper()[:20], (name or "").strip()[:120]
    if not code or not name:
        raise DomainError(_("Indiquez le code et le nom du magasin."))
    if site is not None and site.organisation_id != organisation.pk:
        raise DomainError(_("Ce site n'appartient pas à votre collectivité."))
    stores = Store._base_manager.filter(organisation=organisation)
    if stores.filter(code=code).exists():
        raise DomainError(_("Un magasin porte déjà le code « %(code)s ».") % {"code": code})
    if stores.filter(name=name).exists():
        raise DomainError(_("Un magasin porte déjà le nom « %(name)s ».") % {"name": name})
    store = Store._base_manager.create(organisation=organisation, code=code, name=name, site=site)
    audit_record(actor=access.user, action="stock.store_create", target=store, message=f"{code} {name}")
    return store


ITEM_FIELDS = ("reference", "label", "unit", "category", "is_active")


@transaction.atomic
def item_save(*, access: Access, item: Item | None = None, **fields) -> Item:
    """Create an item of the active organisation's catalogue, or change one (never its CUMP: only
    movements change it)."""
    organisation_id = item.organisation_id if item is not None else getattr(access.organisation, "pk", None)
    if organisation_id is None or not access.has("stock.manage") or organisation_id not in access.write_org_ids:
        raise PermissionRefused(_("Votre rôle ne permet pas de modifier le catalogue."))
    values = {key: fields[key] for key in ITEM_FIELDS if key in fields}
    for key in ("reference", "label", "unit", "category"):
        if key in values:
            values[key] = (values[key] or "").strip()
    if "reference" in values:
        values["reference"] = values["reference"].upper()[:40]
    if not values.get("reference", getattr(item, "reference", "")) or not values.get(
        "label", getattr(item, "label", "")
    ):
        raise DomainError(_("Indiquez la référence et la désignation de l'article."))
    duplicate = Item._base_manager.filter(organisation_id=organisation_id, reference=values.get("reference", ""))
    if item is not None:
        duplicate = duplicate.exclude(pk=item.pk)
    if "reference" in values and duplicate.exists():
        raise DomainError(_("La référence « %(ref)s » existe déjà au catalogue.") % {"ref": values["reference"]})
    if item is None:
        item = Item._base_manager.create(organisation_id=organisation_id, **values)
        action = "stock.item_create"
    else:
        Item._base_manager.filter(pk=item.pk).update(**values, updated_at=timezone.now())
        for key, value in values.items():
            setattr(item, key, value)
        action = "stock.item_change"
    audit_record(actor=access.user, action=action, target=item, message=f"{item.reference} {item.label}")
    return item


@transaction.atomic
def supplier_reference_save(
    *, access: Access, item: Item, supplier, supplier_reference: str, last_price=None
) -> SupplierReference:
    if not access.has("stock.manage") or item.organisation_id not in access.write_org_ids:
        raise PermissionRefused(_("Votre rôle ne permet pas de modifier le catalogue."))
    if supplier.organisation_id != item.organisation_id:
        raise DomainError(_("Ce fournisseur n'est pas référencé par cette collectivité."))
    supplier_reference = (supplier_reference or "").strip()[:60]
    if not supplier_reference:
        raise DomainError(_("Indiquez la référence du fournisseur."))
    price = _unit_price(last_price) if last_price not in (None, "") else None
    ref, _created = SupplierReference._base_manager.update_or_create(
        item=item,
        supplier=supplier,
        defaults={
            "organisation_id": item.organisation_id,
            "supplier_reference": supplier_reference,
            "last_price": price,
        },
    )
    audit_record(
        actor=access.user,
        action="stock.supplier_ref",
        target=ref,
        message=f"{item.reference} : {supplier} {supplier_reference}",
    )
    return ref
