"""One writer per kind: resolve the row's references by code (building, site, category, trade…)
and create the object through the service of its app, exactly as the forms do.

A writer runs inside the import's transaction (and a savepoint per row); it raises `Invalid` for a
cell it cannot use, or lets the service's DomainError through.
"""

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, time
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

from patrimoine.assets import services as assets
from patrimoine.assets.models import Building, Equipment, EquipmentCategory, Level, Site, Space
from patrimoine.contractors.models import Contractor
from patrimoine.core.errors import DomainError
from patrimoine.core.services import audit_record
from patrimoine.imports.cells import normalise
from patrimoine.imports.models import Kind
from patrimoine.organisations.access import Access
from patrimoine.organisations.models import Trade
from patrimoine.reporting import rollups
from patrimoine.stock import services as stock
from patrimoine.workorders import services as workorders
from patrimoine.workorders.models import WorkOrder, WorkOrderTransition

DEFAULT_LEVEL = "Rez-de-chaussée"


class Invalid(Exception):
    """A cell the writer cannot use: `field` is its field key, `message` the French reason."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass
class Context:
    access: Access
    organisation: object
    _categories: dict = field(default_factory=dict)
    _trades: dict = field(default_factory=dict)

    def rows(self, model):
        return model._base_manager.filter(organisation=self.organisation)

    def building(self, code: str, key: str = "building_code") -> Building:
        building = self.rows(Building).filter(code=code).select_related("site").first()
        if building is None:
            raise Invalid(key, _("Aucun bâtiment de cette collectivité n'a le code « %(code)s ».") % {"code": code})
        return building

    def category(self, value: str) -> EquipmentCategory:
        if not self._categories:
            for category in EquipmentCategory.objects.all():
                self._categories[normalise(category.code)] = category
                # « CVC / chauffage », « Extincteurs et RIA » are also found as « Chauffage », « Extincteurs ».
                short = category.name.split(" (")[0]
                for word in (category.name, short, *re.split(r" / |, | et ", short)):
                    self._categories.setdefault(normalise(word), category)
        try:
            return self._categories[normalise(value)]
        except KeyError:
            raise Invalid("category", _("Famille d'équipement inconnue : « %(value)s ».") % {"value": value}) from None

    def trade(self, value: str, key: str = "trade") -> Trade:
        if not self._trades:
            for trade in Trade.objects.all():
                self._trades[normalise(trade.code)] = trade
                for word in (trade.name, *trade.name.split(" / ")):  # « CVC / chauffage » is also « Chauffage »
                    self._trades.setdefault(normalise(word), trade)
        try:
            return self._trades[normalise(value)]
        except KeyError:
            raise Invalid(key, _("Corps de métier inconnu : « %(value)s ».") % {"value": value}) from None

    def level(self, building: Building, name: str | None, created: Counter) -> Level:
        name = name or DEFAULT_LEVEL
        level = self.rows(Level).filter(building=building, name=name).first()
        if level is None:
            level = assets.level_create(access=self.access, building=building, fields={"name": name})
            created["levels"] += 1
        return level


def _only(values: dict, *keys: str) -> dict:
    return {key: values[key] for key in keys if key in values}


def _coordinates(values: dict) -> dict:
    if ("latitude" in values) != ("longitude" in values):
        missing = "longitude" if "latitude" in values else "latitude"
        raise Invalid(missing, _("Indiquez la latitude et la longitude, ou aucune des deux."))
    return _only(values, "latitude", "longitude")


def building_row(context: Context, values: dict) -> Counter:
    created = Counter(buildings=1)
    site_code = values.get("site_code") or values["code"]
    site = context.rows(Site).filter(code=site_code).first()
    address = _only(values, "address", "postal_code", "city") | _coordinates(values)
    if site is None:
        name = values.get("site_name") or values["name"]
        site = assets.site_create(
            access=context.access,
            organisation=context.organisation,
            fields={"name": name, "code": site_code, **address},
        )
        created["sites"] += 1
    fields = _only(values, "name", "code", "surface_m2", "construction_year", "is_erp", "erp_type", "status") | address
    if "erp_category" in values:
        fields["erp_category"] = int(values["erp_category"])
    assets.building_create(access=context.access, site=site, fields=fields)
    return created


def space_row(context: Context, values: dict) -> Counter:
    created = Counter(spaces=1)
    building = context.building(values["building_code"])
    level = context.level(building, values.get("level"), created)
    assets.space_create(
        access=context.access, level=level, fields=_only(values, "name", "code", "surface_m2", "status")
    )
    return created


def equipment_row(context: Context, values: dict) -> Counter:
    created = Counter(equipment=1)
    place: dict = {"category": context.category(values["category"])}
    if values.get("building_code"):
        building = place["building"] = context.building(values["building_code"])
        if values.get("level"):
            place["level"] = context.level(building, values["level"], created)
        if values.get("space_code"):
            wanted = values["space_code"]
            spaces = context.rows(Space).filter(level__building=building)
            space = spaces.filter(code=wanted).first() or spaces.filter(name=wanted).first()
            if space is None:
                raise Invalid("space_code", _("Ce bâtiment n'a pas de local « %(code)s ».") % {"code": wanted})
            place["space"] = space
    elif values.get("site_code"):
        place["site"] = context.rows(Site).filter(code=values["site_code"]).first()
        if place["site"] is None:
            raise Invalid("site_code", _("Aucun site n'a le code « %(code)s ».") % {"code": values["site_code"]})
    else:
        raise Invalid("building_code", _("Indiquez le code du bâtiment (ou du site) de l'équipement."))
    fields = _only(values, "name", "code", "brand", "model_name", "serial_number", "installed_on", "status")
    assets.equipment_create(access=context.access, fields={**fields, **place})
    return created


def item_row(context: Context, values: dict) -> Counter:
    stock.item_save(access=context.access, **_only(values, "reference", "label", "unit", "category", "is_active"))
    return Counter(items=1)


def contractor_row(context: Context, values: dict) -> Counter:
    name = values["name"]
    siret = re.sub(r"\s", "", values.get("siret", ""))
    if siret and not re.fullmatch(r"\d{14}", siret):
        raise Invalid("siret", _("Un numéro SIRET compte 14 chiffres."))
    email = values.get("email", "")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise Invalid("email", _("Adresse de courriel invalide.")) from None
    trades = [
        context.trade(part.strip(), "trades") for part in re.split(r"[,;+]", values.get("trades", "")) if part.strip()
    ]
    contractor_create(
        access=context.access,
        organisation=context.organisation,
        name=name,
        siret=siret,
        email=email,
        phone=values.get("phone", ""),
        trades=trades,
    )
    return Counter(contractors=1)


def contractor_create(
    *, access: Access, organisation, name: str, siret="", email="", phone="", trades=()
) -> Contractor:
    """The contractors app has no service yet: this is the import's, with the same checks as its model."""
    access.require("imports.run")
    if organisation.pk not in access.write_org_ids:
        raise DomainError(_("Votre rôle ne permet pas cette action ici."))
    if Contractor._base_manager.filter(organisation=organisation, name=name).exists():
        raise DomainError(_("Un prestataire s'appelle déjà « %(name)s ».") % {"name": name})
    contractor = Contractor._base_manager.create(
        organisation=organisation, name=name, siret=siret, email=email, phone=phone
    )
    contractor.trades.set(trades)
    audit_record(actor=access.user, action="contractor.import", target=contractor, message=name)
    return contractor


def work_order_row(context: Context, values: dict) -> Counter:
    building = context.building(values["building_code"]) if values.get("building_code") else None
    equipment = None
    if values.get("equipment_code"):
        equipment = context.rows(Equipment).filter(code=values["equipment_code"]).first()
        if equipment is None:
            raise Invalid(
                "equipment_code", _("Aucun équipement n'a le code « %(code)s ».") % {"code": values["equipment_code"]}
            )
        if building is not None and equipment.building_id not in (None, building.pk):
            raise Invalid("equipment_code", _("Cet équipement n'est pas dans le bâtiment indiqué."))
        building = building or equipment.building
    requested, completed = values.get("requested_on"), values.get("completed_on")
    if requested and completed and completed < requested:
        raise Invalid("completed_on", _("La date de fin précède la date de demande."))
    costs = {key: values.get(key, Decimal("0")) for key in ("labour_cost", "material_cost", "external_cost")}
    for key, amount in costs.items():
        if amount < 0:
            raise Invalid(key, _("Un coût ne peut pas être négatif."))
        if amount >= Decimal("1e10"):
            raise Invalid(key, _("Montant trop élevé."))
    description = values.get("description", "")
    if values.get("legacy_reference"):
        description = _("Ancien numéro : %(ref)s") % {"ref": values["legacy_reference"]} + (
            f"\n\n{description}" if description else ""
        )
    order = workorders.work_order_create(
        access=context.access,
        organisation=context.organisation,
        title=values["title"],
        trade=context.trade(values["trade"]),
        description=description,
        kind=values.get("kind", WorkOrder.Kind.CORRECTIVE),
        priority=values.get("priority", WorkOrder.Priority.NORMAL),
        site=building.site if building is not None else (equipment.site if equipment is not None else None),
        building=building,
        equipment=equipment,
    )
    work_order_close_historical(
        access=context.access,
        work_order=order,
        status=values.get("status", WorkOrder.Status.VALIDATED),
        requested_on=requested,
        completed_on=completed or requested,
        reference=values.get("legacy_reference", ""),
        **costs,
    )
    return Counter(workorders=1)


def work_order_close_historical(
    *, access: Access, work_order: WorkOrder, status, requested_on, completed_on, reference, **costs
) -> None:
    """Give a just-created order the closed state it had in the old system (its dates and costs).

    History is recorded as it was, not replayed through the workflow: one transition « Reprise de
    données » and one audit row say where it comes from."""
    fields = {**costs, "total_cost": sum(costs.values(), Decimal("0")), "status": status}
    if requested_on:
        fields["created_at"] = aware(requested_on, 9)
    if completed_on and status != WorkOrder.Status.CANCELLED:
        fields["completed_at"] = aware(completed_on, 17)
        if status == WorkOrder.Status.VALIDATED:
            fields["validated_at"] = fields["completed_at"]
    with rollups.tracking(orders=[work_order.pk]):  # a no-op in the importer, which rebuilds at the end
        WorkOrder._base_manager.filter(pk=work_order.pk).update(**fields)
        WorkOrderTransition._base_manager.create(
            organisation_id=work_order.organisation_id,
            work_order=work_order,
            from_status=WorkOrder.Status.TO_PLAN,
            to_status=status,
            actor=access.user,
            reason=(_("Reprise de données") + (f" ({reference})" if reference else ""))[:300],
        )
    audit_record(actor=access.user, action="work_order.import", target=work_order, message=reference or "")


def reference_errors(context: Context, values: dict) -> list[Invalid]:
    """The references of a row that already has a bad cell (so is not written): still report
    unknown families, trades, buildings and equipment, so that one pass shows every error."""
    lookups = {
        "category": context.category,
        "trade": context.trade,
        "building_code": context.building,
        "equipment_code": lambda code: context.rows(Equipment).get(code=code),
    }
    errors = []
    for key, lookup in lookups.items():
        if values.get(key):
            try:
                lookup(values[key])
            except Invalid as exc:
                errors.append(exc)
            except Equipment.DoesNotExist:
                errors.append(Invalid(key, _("Aucun équipement n'a le code « %(code)s ».") % {"code": values[key]}))
    return errors


def aware(day, hour: int = 12) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


WRITERS = {
    Kind.BUILDINGS: building_row,
    Kind.SPACES: space_row,
    Kind.EQUIPMENT: equipment_row,
    Kind.ITEMS: item_row,
    Kind.CONTRACTORS: contractor_row,
    Kind.WORKORDERS: work_order_row,
}
