"""The asset registry of the demo: sites, buildings, levels, spaces and equipment."""

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from patrimoine.assets.models import Building, Equipment, Level, Site, Space
from patrimoine.demo.data import equipment as catalogue
from patrimoine.demo.data import places
from patrimoine.demo.data.organisations import TOWNS
from patrimoine.demo.reference import Reference
from patrimoine.demo.rows import ensure_rows

MICRO = Decimal("0.000001")


@dataclass
class Place:
    """A building with what is inside it, or a public-lighting site (building None)."""

    site: Site
    kind: str
    building: Building | None = None
    levels: dict[str, Level] = field(default_factory=dict)
    spaces: dict[str, Space] = field(default_factory=dict)
    equipment: list[Equipment] = field(default_factory=list)

    def equipment_of(self, categories) -> list[Equipment]:
        return [e for e in self.equipment if e.category.code in categories]


@dataclass
class Registry:
    places: dict[str, list[Place]] = field(default_factory=dict)  # organisation slug → places

    def building(self, slug: str, name: str) -> Place:
        found = [p for p in self.places[slug] if p.building is not None and p.building.name == name]
        if len(found) != 1:
            raise LookupError(f"{len(found)} buildings named {name!r} in {slug}")
        return found[0]

    def lighting(self, slug: str) -> list[Place]:
        return [p for p in self.places[slug] if p.building is None]


def build_registry(ref: Reference, today: date) -> Registry:
    rng = random.Random("patrimoine-demo-registry")  # noqa: S311 — deterministic demo data, not security
    org_ids = [o.pk for o in ref.orgs.values()]
    registry = Registry()
    plan = _plan(ref, rng)  # every row we want, in memory, in a fixed order

    sites = ensure_rows(
        Site, lambda s: (s.organisation_id, s.code), [p["site"] for p in plan], organisation_id__in=org_ids
    )
    for p in plan:
        p["site"] = sites[(p["site"].organisation_id, p["site"].code)]
        if p["building"] is not None:
            p["building"].site = p["site"]
    buildings = ensure_rows(
        Building,
        lambda b: (b.organisation_id, b.code),
        [p["building"] for p in plan if p["building"] is not None],
        organisation_id__in=org_ids,
    )
    levels_wanted = []
    for p in plan:
        if p["building"] is not None:
            p["building"] = buildings[(p["building"].organisation_id, p["building"].code)]
            for level in p["levels"].values():
                level.building = p["building"]
                levels_wanted.append(level)
    levels = ensure_rows(Level, lambda lv: (lv.building_id, lv.name), levels_wanted, organisation_id__in=org_ids)
    spaces_wanted = []
    for p in plan:
        p["levels"] = {name: levels[(lv.building_id, lv.name)] for name, lv in p["levels"].items()}
        for space in p["spaces"].values():
            space.level = p["levels"][space.level.name]
            spaces_wanted.append(space)
    spaces = ensure_rows(Space, lambda s: (s.level_id, s.name), spaces_wanted, organisation_id__in=org_ids)
    equipment_wanted = []
    for p in plan:
        p["spaces"] = {name: spaces[(s.level_id, s.name)] for name, s in p["spaces"].items()}
        for item, level_name, space_name in p["equipment"]:
            item.site = p["site"]
            item.building = p["building"]
            item.level = p["levels"][level_name] if level_name else None
            item.space = p["spaces"][space_name] if space_name else None
            item.installed_on = min(item.installed_on, today - timedelta(days=400))
            equipment_wanted.append(item)
    equipment = ensure_rows(
        Equipment, lambda e: (e.organisation_id, e.code), equipment_wanted, organisation_id__in=org_ids
    )
    categories = {c.pk: c for c in ref.categories.values()}
    for p in plan:
        rows = [equipment[(item.organisation_id, item.code)] for item, _l, _s in p["equipment"]]
        for row in rows:
            row.category = categories[row.category_id]
        place = Place(
            site=p["site"],
            kind=p["kind"],
            building=p["building"],
            levels=p["levels"],
            spaces=p["spaces"],
            equipment=rows,
        )
        registry.places.setdefault(ref.slug_of(p["site"].organisation_id), []).append(place)
    return registry


def _plan(ref: Reference, rng: random.Random) -> list[dict]:
    plan = []
    for slug, sites in places.SITES.items():
        org = ref.orgs[slug]
        prefix = places.CODE_PREFIX[slug]
        postal_code, city, lat0, lon0 = TOWNS[slug]
        building_number = 0
        for site_number, (site_name, street, buildings) in enumerate(sites, start=1):
            site_postal, site_city = postal_code, city
            lat, lon = lat0, lon0
            if site_name in places.SITE_TOWN:
                site_postal, site_city, lat_text, lon_text = places.SITE_TOWN[site_name]
                lat, lon = Decimal(lat_text), Decimal(lon_text)
            lat = (lat + Decimal(rng.uniform(-0.006, 0.006))).quantize(MICRO)
            lon = (lon + Decimal(rng.uniform(-0.008, 0.008))).quantize(MICRO)
            site = Site(
                organisation=org,
                name=site_name,
                code=f"{prefix}-S{site_number:02d}",
                address=street,
                postal_code=site_postal,
                city=site_city,
                latitude=lat,
                longitude=lon,
            )
            if not buildings:
                points = []
                for n in range(1, catalogue.LIGHT_POINTS_PER_SITE + 1):
                    category, name, brand_key = catalogue.LIGHT_POINT
                    points.append(
                        (
                            _equipment(
                                ref,
                                rng,
                                org,
                                f"{site.code}-PL{n:02d}",
                                category,
                                f"{name.format(n=n)} — {street.split(',')[0]}",
                                brand_key,
                                1995,
                            ),
                            None,
                            None,
                        )
                    )
                plan.append(
                    {
                        "site": site,
                        "kind": "lighting",
                        "building": None,
                        "levels": {},
                        "spaces": {},
                        "equipment": points,
                    }
                )
                continue
            for name, kind, surface, year, erp_type, erp_category, floors in buildings:
                building_number += 1
                code = f"{prefix}-B{building_number:02d}"
                building = Building(
                    organisation=org,
                    site=site,
                    name=name,
                    code=code,
                    address=street,
                    postal_code=site_postal,
                    city=site_city,
                    latitude=(lat + Decimal(rng.uniform(-0.0006, 0.0006))).quantize(MICRO),
                    longitude=(lon + Decimal(rng.uniform(-0.0008, 0.0008))).quantize(MICRO),
                    surface_m2=Decimal(surface),
                    construction_year=year,
                    is_erp=bool(erp_type),
                    erp_type=erp_type,
                    erp_category=erp_category,
                )
                levels = {n: Level(organisation=org, name=n, position=pos) for n, pos in places.LEVELS[floors]}
                level_at = {
                    "low": min(levels.values(), key=lambda lv: lv.position).name,
                    "ground": "Rez-de-chaussée",
                    "up": max(levels.values(), key=lambda lv: lv.position).name,
                }
                spaces = {}
                for space_name, space_surface, where in catalogue.SPACES[kind]:
                    level = levels[level_at[where]]
                    spaces[space_name] = Space(
                        organisation=org, level=level, name=space_name, surface_m2=Decimal(space_surface)
                    )
                items = []
                for category, designation, count, space_name, brand_key in catalogue.EQUIPMENT[kind]:
                    if category == "ascenseurs" and floors != 1 and designation == "Ascenseur":
                        continue  # a lift only where there is an upper floor
                    for n in range(1, count + 1):
                        label = designation.format(n=n) if "{n}" in designation else designation
                        item = _equipment(
                            ref, rng, org, f"{code}-{len(items) + 1:02d}", category, label, brand_key, year
                        )
                        level_name = spaces[space_name].level.name if space_name else "Rez-de-chaussée"
                        items.append((item, level_name, space_name))
                plan.append(
                    {
                        "site": site,
                        "kind": kind,
                        "building": building,
                        "levels": levels,
                        "spaces": spaces,
                        "equipment": items,
                    }
                )
    return plan


def _equipment(ref, rng, org, code, category, name, brand_key, built) -> Equipment:
    brand, model_name = rng.choice(catalogue.BRANDS[brand_key])
    installed = date(max(built, 1998), 1, 1) + timedelta(days=rng.randint(0, 365 * 26))
    initials = "".join(ch for ch in brand.upper() if ch.isalpha())[:3]
    return Equipment(
        organisation=org,
        category=ref.categories[category],
        name=name,
        code=code,
        brand=brand,
        model_name=model_name,
        serial_number=f"{initials}{installed.year % 100:02d}{rng.randint(100000, 999999)}",
        installed_on=installed,
    )
