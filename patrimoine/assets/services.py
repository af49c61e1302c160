"""Writes on the asset registry: create, update, archive and delete sites, buildings, levels,
spaces and equipment.

Every function takes the acting user's `Access`, requires `assets.change` on the object's
organisation, validates, runs in a transaction, writes the audit row, and raises a DomainError
with a French message when it refuses — in which case nothing has changed. Buildings and equipment
are edited with optimistic locking (their `version`): a stale form is refused, never overwritten.
"""

import copy
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, ProtectedError, RestrictedError
from django.utils import timezone
from django.utils.translation import gettext as _

from patrimoine.assets.models import AssetStatus, Building, Equipment, Level, Site, Space
from patrimoine.assets.selectors import asset_has_history
from patrimoine.core.errors import DomainError
from patrimoine.core.services import audit_record, save_with_version
from patrimoine.organisations.access import Access
from patrimoine.reporting import rollups

ADDRESS_FIELDS = ("address", "postal_code", "city", "latitude", "longitude")
SITE_FIELDS = ("name", "code", "status", *ADDRESS_FIELDS)
BUILDING_FIELDS = (
    "site",
    "name",
    "code",
    "surface_m2",
    "construction_year",
    "is_erp",
    "erp_type",
    "erp_category",
    "status",
    *ADDRESS_FIELDS,
)
LEVEL_FIELDS = ("name", "position", "status")
SPACE_FIELDS = ("name", "code", "surface_m2", "status")
EQUIPMENT_FIELDS = (
    "site",
    "building",
    "level",
    "space",
    "category",
    "name",
    "code",
    "brand",
    "model_name",
    "serial_number",
    "installed_on",
    "status",
)

Asset = Site | Building | Level | Space | Equipment


def history_message(asset: Asset) -> str:
    messages = {
        Site: _("Ce site a un historique : il ne peut pas être supprimé, seulement archivé."),
        Building: _("Ce bâtiment a un historique : il ne peut pas être supprimé, seulement archivé."),
        Level: _("Ce niveau a un historique : il ne peut pas être supprimé, seulement archivé."),
        Space: _("Ce local a un historique : il ne peut pas être supprimé, seulement archivé."),
        Equipment: _("Cet équipement a un historique : il ne peut pas être supprimé, seulement archivé."),
    }
    return messages[type(asset)]


# --- Validation shared by the create and update functions.


def _pick(fields: Mapping[str, Any], allowed: tuple[str, ...]) -> dict[str, Any]:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValueError(f"Unexpected fields: {sorted(unknown)}")
    cleaned = dict(fields)
    for name in ("name", "code"):
        if isinstance(cleaned.get(name), str):
            cleaned[name] = cleaned[name].strip()
    return cleaned


def _apply(instance: models.Model, fields: Mapping[str, Any]) -> models.Model:
    for name, value in fields.items():
        setattr(instance, name, value)
    return instance


def _full_clean(instance: models.Model) -> None:
    """Field validators (lengths, ranges, required values) as French DomainErrors."""
    try:
        instance.full_clean(exclude={"organisation"}, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            parts = []
            for name, errors in exc.message_dict.items():
                label = instance._meta.get_field(name).verbose_name if name != "__all__" else ""
                parts.extend(f"{label} : {message}" if label else message for message in errors)
        else:
            parts = exc.messages
        raise DomainError(" ".join(parts)) from exc


def _check_code_free(instance: Site | Building | Equipment, label: str) -> None:
    taken = (
        type(instance)
        ._base_manager.filter(organisation_id=instance.organisation_id, code=instance.code)
        .exclude(pk=instance.pk)
        .exists()
    )
    if taken:
        raise DomainError(
            _("Le code « %(code)s » est déjà utilisé par %(label)s de cette collectivité.")
            % {"code": instance.code, "label": label}
        )


def _check_erp(building: Building) -> None:
    if building.is_erp:
        if not building.erp_type or building.erp_category is None:
            raise DomainError(_("Un établissement recevant du public doit avoir un type et une catégorie ERP."))
    else:
        building.erp_type = ""
        building.erp_category = None


def _check_same_organisation(organisation_id: int, *related) -> None:
    for obj in related:
        if obj is not None and obj.organisation_id != organisation_id:
            raise DomainError(_("Tous les emplacements doivent appartenir à la même collectivité."))


def _check_placement(equipment: Equipment) -> None:
    """Space in level in building on site, all of the equipment's organisation. Missing upper
    levels are filled in from the lower ones (a space implies its level, building and site)."""
    if equipment.space is not None:
        if equipment.level is None:
            equipment.level = equipment.space.level
        elif equipment.space.level_id != equipment.level.pk:
            raise DomainError(_("Le local choisi ne se trouve pas au niveau choisi."))
    if equipment.level is not None:
        if equipment.building is None:
            equipment.building = equipment.level.building
        elif equipment.level.building_id != equipment.building.pk:
            raise DomainError(_("Le niveau choisi n'appartient pas au bâtiment choisi."))
    if equipment.building is not None:
        if equipment.site_id is None:
            equipment.site = equipment.building.site
        elif equipment.building.site_id != equipment.site_id:
            raise DomainError(_("Le bâtiment choisi ne se trouve pas sur le site choisi."))
    if equipment.site_id is None:
        raise DomainError(_("Indiquez au moins le site où se trouve l'équipement."))
    _check_same_organisation(
        equipment.organisation_id, equipment.site, equipment.building, equipment.level, equipment.space
    )


def _changes(before: models.Model, after: models.Model, names) -> dict[str, list[str]]:
    changed = {}
    for name in names:
        old, new = getattr(before, name), getattr(after, name)
        if old != new:
            changed[name] = [str(old) if old is not None else "", str(new) if new is not None else ""]
    return changed


# --- Sites


@transaction.atomic
def site_create(*, access: Access, organisation, fields: Mapping[str, Any]) -> Site:
    site = _apply(Site(organisation=organisation), _pick(fields, SITE_FIELDS))
    access.require("assets.change", site)
    _full_clean(site)
    _check_code_free(site, _("un autre site"))
    site.save()
    audit_record(actor=access.user, action="site.create", target=site, message=site.name)
    return site


@transaction.atomic
def site_update(*, access: Access, site: Site, fields: Mapping[str, Any]) -> Site:
    access.require("assets.change", site)
    before = copy.copy(site)
    _apply(site, _pick(fields, SITE_FIELDS))
    _full_clean(site)
    _check_code_free(site, _("un autre site"))
    site.save()
    audit_record(actor=access.user, action="site.update", target=site, data=_changes(before, site, SITE_FIELDS))
    return site


# --- Buildings


@transaction.atomic
def building_create(*, access: Access, site: Site, fields: Mapping[str, Any]) -> Building:
    values = _pick(fields, BUILDING_FIELDS)
    values["site"] = values.get("site") or site
    building = _apply(Building(organisation_id=site.organisation_id), values)
    access.require("assets.change", building)
    _check_same_organisation(building.organisation_id, building.site)
    _check_erp(building)
    _full_clean(building)
    _check_code_free(building, _("un autre bâtiment"))
    building.save()
    audit_record(actor=access.user, action="building.create", target=building, message=building.name)
    return building


@transaction.atomic
def building_update(
    *, access: Access, building: Building, expected_version: int, fields: Mapping[str, Any]
) -> Building:
    """Save the edit form, unless someone else saved the building since the form was loaded."""
    access.require("assets.change", building)
    values = _pick(fields, BUILDING_FIELDS)
    candidate = _apply(copy.copy(building), values)
    _check_same_organisation(building.organisation_id, candidate.site)
    _check_erp(candidate)
    _full_clean(candidate)
    _check_code_free(candidate, _("un autre bâtiment"))
    final = {name: getattr(candidate, name) for name in BUILDING_FIELDS}
    changed = _changes(building, candidate, BUILDING_FIELDS)
    # Its type (ERP) files the building's orders and requests in the dashboards: move them along.
    moved = [building.pk] if candidate.erp_type != building.erp_type else []
    with rollups.tracking(buildings=moved):
        save_with_version(
            building, expected_version=expected_version, fields={**final, "search_text": candidate.search_key()}
        )
    audit_record(actor=access.user, action="building.update", target=building, data=changed)
    return building


# --- Levels and spaces


@transaction.atomic
def level_create(*, access: Access, building: Building, fields: Mapping[str, Any]) -> Level:
    level = _apply(Level(organisation_id=building.organisation_id, building=building), _pick(fields, LEVEL_FIELDS))
    access.require("assets.change", level)
    _full_clean(level)
    _check_level_name_free(level)
    level.save()
    audit_record(actor=access.user, action="level.create", target=level, message=f"{building.name} — {level.name}")
    return level


@transaction.atomic
def level_update(*, access: Access, level: Level, fields: Mapping[str, Any]) -> Level:
    access.require("assets.change", level)
    before = copy.copy(level)
    _apply(level, _pick(fields, LEVEL_FIELDS))
    _full_clean(level)
    _check_level_name_free(level)
    level.save()
    audit_record(actor=access.user, action="level.update", target=level, data=_changes(before, level, LEVEL_FIELDS))
    return level


def _check_level_name_free(level: Level) -> None:
    if Level._base_manager.filter(building_id=level.building_id, name=level.name).exclude(pk=level.pk).exists():
        raise DomainError(_("Ce bâtiment a déjà un niveau « %(name)s ».") % {"name": level.name})


@transaction.atomic
def space_create(*, access: Access, level: Level, fields: Mapping[str, Any]) -> Space:
    space = _apply(Space(organisation_id=level.organisation_id, level=level), _pick(fields, SPACE_FIELDS))
    access.require("assets.change", space)
    _full_clean(space)
    space.save()
    audit_record(actor=access.user, action="space.create", target=space, message=space.name)
    return space


@transaction.atomic
def space_update(*, access: Access, space: Space, fields: Mapping[str, Any]) -> Space:
    access.require("assets.change", space)
    before = copy.copy(space)
    _apply(space, _pick(fields, SPACE_FIELDS))
    _full_clean(space)
    space.save()
    audit_record(actor=access.user, action="space.update", target=space, data=_changes(before, space, SPACE_FIELDS))
    return space


# --- Equipment


@transaction.atomic
def equipment_create(*, access: Access, fields: Mapping[str, Any]) -> Equipment:
    """Create an equipment item; its organisation is the one of the place it is attached to."""
    values = _pick(fields, EQUIPMENT_FIELDS)
    place = values.get("space") or values.get("level") or values.get("building") or values.get("site")
    if place is None:
        raise DomainError(_("Indiquez au moins le site où se trouve l'équipement."))
    equipment = _apply(Equipment(organisation_id=place.organisation_id), values)
    access.require("assets.change", equipment)
    _check_placement(equipment)
    _full_clean(equipment)
    _check_code_free(equipment, _("un autre équipement"))
    equipment.save()
    audit_record(actor=access.user, action="equipment.create", target=equipment, message=str(equipment))
    return equipment


@transaction.atomic
def equipment_update(
    *, access: Access, equipment: Equipment, expected_version: int, fields: Mapping[str, Any]
) -> Equipment:
    access.require("assets.change", equipment)
    candidate = _apply(copy.copy(equipment), _pick(fields, EQUIPMENT_FIELDS))
    _check_placement(candidate)
    _full_clean(candidate)
    _check_code_free(candidate, _("un autre équipement"))
    final = {name: getattr(candidate, name) for name in EQUIPMENT_FIELDS}
    changed = _changes(equipment, candidate, EQUIPMENT_FIELDS)
    save_with_version(
        equipment, expected_version=expected_version, fields={**final, "search_text": candidate.search_key()}
    )
    audit_record(actor=access.user, action="equipment.update", target=equipment, data=changed)
    return equipment


# --- Archive and delete (any asset)


def _archive_rows(queryset, now) -> int:
    values: dict[str, Any] = {"status": AssetStatus.ARCHIVED, "updated_at": now}
    if any(field.name == "version" for field in queryset.model._meta.fields):
        values["version"] = F("version") + 1
    return queryset.exclude(status=AssetStatus.ARCHIVED).update(**values)


@transaction.atomic
def asset_archive(*, access: Access, asset: Asset) -> int:
    """Mark the asset archived, with what it contains (a building's levels, spaces and equipment).

    Archiving keeps the history: work orders, requests, documents and costs stay attached.
    Returns the number of rows archived. The edit form can put an archived asset back in service.
    """
    access.require("assets.change", asset)
    if asset.status == AssetStatus.ARCHIVED:
        raise DomainError(_("Cet élément est déjà archivé."))
    now = timezone.now()
    model = type(asset)
    count = _archive_rows(model._base_manager.filter(pk=asset.pk), now)
    contained: list[tuple[type[models.Model], dict]] = {
        Site: [
            (Building, {"site": asset}),
            (Level, {"building__site": asset}),
            (Space, {"level__building__site": asset}),
            (Equipment, {"site": asset}),
        ],
        Building: [(Level, {"building": asset}), (Space, {"level__building": asset}), (Equipment, {"building": asset})],
        Level: [(Space, {"level": asset}), (Equipment, {"level": asset})],
        Space: [(Equipment, {"space": asset})],
        Equipment: [],
    }[model]
    for child_model, lookup in contained:
        count += _archive_rows(child_model._base_manager.filter(**lookup), now)
    asset.status = AssetStatus.ARCHIVED
    if hasattr(asset, "version"):
        asset.version += 1
    audit_record(actor=access.user, action=f"{model._meta.model_name}.archive", target=asset, data={"rows": count})
    return count


@transaction.atomic
def asset_delete(*, access: Access, asset: Asset) -> None:
    """Delete an asset entered by mistake. One with history (work orders, requests, documents)
    or with contents (buildings, levels, spaces, equipment) can only be archived."""
    access.require("assets.change", asset)
    if asset_has_history(asset):
        raise DomainError(history_message(asset))
    audit_record(actor=access.user, action=f"{asset._meta.model_name}.delete", target=asset, message=str(asset)[:300])
    try:
        with transaction.atomic():
            asset.delete()
    except (ProtectedError, RestrictedError) as exc:
        # A row of another app (added later) still points at the asset: same answer, nothing deleted.
        raise DomainError(history_message(asset)) from exc
