"""GeoJSON (RFC 7946) export of an organisation's buildings or equipment: a FeatureCollection of
Points in WGS 84 ([longitude, latitude]), with properties named like the import's fields so that
the file can be re-imported (or opened in QGIS, uMap…). Equipment has no coordinates of its own:
it takes those of its building, else of its site; without any, its geometry is null."""

from decimal import Decimal

from patrimoine.assets.selectors import buildings_visible_to, equipment_visible_to


def _number(value):
    if value is None:
        return None
    return float(value) if isinstance(value, Decimal) else value


def _point(place):
    if place is None or not place.has_coordinates:
        return None
    return {"type": "Point", "coordinates": [float(place.longitude), float(place.latitude)]}


def buildings_collection(buildings) -> dict:
    features = []
    for building in buildings.select_related("site").order_by("code"):
        properties = {
            "code": building.code,
            "name": building.name,
            "site_code": building.site.code,
            "site_name": building.site.name,
            "address": building.address,
            "postal_code": building.postal_code,
            "city": building.city,
            "surface_m2": _number(building.surface_m2),
            "construction_year": building.construction_year,
            "is_erp": building.is_erp,
            "erp_type": building.erp_type,
            "erp_category": building.erp_category,
            "status": building.status,
        }
        features.append(
            {"type": "Feature", "id": str(building.pk), "geometry": _point(building), "properties": properties}
        )
    return {"type": "FeatureCollection", "features": features}


def equipment_collection(equipment) -> dict:
    features = []
    rows = equipment.select_related("site", "building", "level", "space", "category").order_by("code")
    for item in rows:
        properties = {
            "code": item.code,
            "name": item.name,
            "category": item.category.code,
            "building_code": item.building.code if item.building else "",
            "site_code": item.site.code,
            "level": item.level.name if item.level else "",
            "space_code": (item.space.code or item.space.name) if item.space else "",
            "brand": item.brand,
            "model_name": item.model_name,
            "serial_number": item.serial_number,
            "installed_on": item.installed_on.isoformat() if item.installed_on else None,
            "status": item.status,
        }
        geometry = _point(item.building) or _point(item.site)
        features.append({"type": "Feature", "id": str(item.pk), "geometry": geometry, "properties": properties})
    return {"type": "FeatureCollection", "features": features}


# ?type= of the export URL → (selector of the rows the user may read, collection builder).
EXPORTS = {
    "batiments": (buildings_visible_to, buildings_collection),
    "equipements": (equipment_visible_to, equipment_collection),
}
