"""Reads of the asset registry, always through the user's access.

The scope already limits every query to the organisations the user may read; on top of that a role
without `assets.view` (the contractor) sees no asset at all. Detail getters answer 404 for anything
not visible, so another commune's building looks exactly like a missing one.
"""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404

from patrimoine.assets.models import Building, Equipment, Level, Site, Space, search_key
from patrimoine.documents.models import Document
from patrimoine.intake.models import WorkRequest
from patrimoine.organisations.access import Access
from patrimoine.workorders.models import WorkOrder
from patrimoine.workorders.selectors import work_orders_visible_to

MAX_SEARCH_TERMS = 8


def _visible(access: Access, model) -> QuerySet:
    if not access.has("assets.view"):
        return model.objects.none()
    return model.objects.filter(organisation_id__in=access.read_org_ids)


def sites_visible_to(access: Access) -> QuerySet[Site]:
    return _visible(access, Site)


def buildings_visible_to(access: Access) -> QuerySet[Building]:
    return _visible(access, Building)


def levels_visible_to(access: Access) -> QuerySet[Level]:
    return _visible(access, Level)


def spaces_visible_to(access: Access) -> QuerySet[Space]:
    return _visible(access, Space)


def equipment_visible_to(access: Access) -> QuerySet[Equipment]:
    return _visible(access, Equipment)


def _get(queryset: QuerySet, pk):
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404 from exc


def get_site_for(access: Access, pk) -> Site:
    return _get(sites_visible_to(access).select_related("organisation"), pk)


def get_building_for(access: Access, pk) -> Building:
    return _get(buildings_visible_to(access).select_related("site", "organisation"), pk)


def get_level_for(access: Access, pk) -> Level:
    return _get(levels_visible_to(access).select_related("building__site", "organisation"), pk)


def get_space_for(access: Access, pk) -> Space:
    return _get(spaces_visible_to(access).select_related("level__building__site", "organisation"), pk)


def get_equipment_for(access: Access, pk) -> Equipment:
    related = ("site", "building", "level", "space", "category", "organisation")
    return _get(equipment_visible_to(access).select_related(*related), pk)


# --- Search: each word of the query must appear (accents and case ignored).
#
# Every searchable row keeps `search_text`, its words folded in Python (`search_key`: lower case, no
# accents, œ → oe), so a search is `search_text LIKE '%word%'` for each word, with the same results on
# SQLite and PostgreSQL: « ecole » finds « École », « gymn » finds « Gymnase », « b0012 » or
# « di-2026-00012 » find the reference. On PostgreSQL a trigram GIN index on `search_text` (pg_trgm,
# assets migration 0005) answers these LIKEs without reading the table; SQLite scans, which is fine at
# a test's or a small commune's size. French plurals are folded too: « écoles » searches « ecole ».
# Results come by relevance: the code typed exactly, then names starting with the query, then a word
# starting with it, then any other match (for equipment, one found through its building or site last).


def _singular(term: str) -> str:
    """« ecoles » → « ecole », « bureaux » → « bureau »: a term only ever matches more once trimmed."""
    if len(term) > 3 and term[-1] in "sx" and term[-2] not in "sx" and term.isalpha():
        return term[:-1]
    return term


def search_terms(query: str) -> list[str]:
    return [_singular(term) for term in search_key(query or "").split() if term][:MAX_SEARCH_TERMS]


def _relevance(query: str, *, own: Q | None = None) -> Case:
    """0 code typed exactly, 1 text starts with the query, 2 a word starts with its first term,
    3 any other match of its own; 4 a match through the place only (rows where `own` is false)."""
    terms = search_terms(query)
    phrase = " ".join(terms)
    whens = [
        When(code__iexact=(query or "").strip(), then=Value(0)),
        When(search_text__startswith=phrase, then=Value(1)),
        When(search_text__contains=f" {terms[0]}" if terms else phrase, then=Value(2)),
    ]
    if own is not None:
        whens.append(When(own, then=Value(3)))
    return Case(*whens, default=Value(4 if own is not None else 3), output_field=IntegerField())


def buildings_matching(buildings: QuerySet[Building], query: str) -> QuerySet[Building]:
    """Buildings whose name, code, address or city — or their site's — contain every word, annotated
    with `relevance` (see `_relevance`). Buildings are few (thousands): the site's match is a
    subquery, the building's own one the trigram index."""
    for term in search_terms(query):
        sites = Site.objects.filter(search_text__contains=term).values("pk")
        buildings = buildings.filter(Q(search_text__contains=term) | Q(site_id__in=sites))
    return buildings.annotate(relevance=_relevance(query))


def _places_matching(terms: list[str]) -> dict[str, tuple[list, list]]:
    """For each term, the ids of the buildings and of the sites whose text contains it, in one query
    (a UNION of two trigram-index scans)."""
    if not terms:
        return {}
    any_term = Q()
    for term in terms:
        any_term |= Q(search_text__contains=term)
    buildings = Building.objects.filter(any_term).annotate(kind=Value("b")).values_list("pk", "search_text", "kind")
    sites = Site.objects.filter(any_term).annotate(kind=Value("s")).values_list("pk", "search_text", "kind")
    buildings, sites = buildings.order_by(), sites.order_by()
    places = {term: ([], []) for term in terms}
    for pk, text, kind in buildings.union(sites, all=True).order_by():
        for term in terms:
            if term in text:
                places[term][0 if kind == "b" else 1].append(pk)
    return places


def equipment_matching(equipment: QuerySet[Equipment], query: str) -> QuerySet[Equipment]:
    """Equipment whose name, code, brand, model or serial number — or its building's or site's
    name, code, address or city — contain every word (« chaudière ferry » finds the school's boiler),
    annotated with `relevance` (its own matches before those through its place).

    The places are looked up first (one query) so that each word reads « own text LIKE, or building
    in (ids), or site in (ids) »: three index scans OR-ed by PostgreSQL, where joining the building
    and site tables made it read every equipment item of the organisation."""
    terms = search_terms(query)
    places = _places_matching(terms)
    own = Q()
    for term in terms:
        building_ids, site_ids = places[term]
        word = Q(search_text__contains=term)
        if building_ids:
            word |= Q(building_id__in=building_ids)
        if site_ids:
            word |= Q(site_id__in=site_ids)
        equipment = equipment.filter(word)
        own &= Q(search_text__contains=term)
    return equipment.annotate(relevance=_relevance(query, own=own if terms else None))


# --- The tree on the list page: sites → buildings.


def site_tree(access: Access, buildings: QuerySet[Building], *, only_matching: bool) -> QuerySet[Site]:
    """Sites with their (already filtered) buildings prefetched in `tree_buildings`, in
    alphabetical order whatever the accents (the folded `search_text` starts with the name).

    With `only_matching`, sites without a matching building are left out (a search or a filter is
    active); otherwise every visible site is listed, even one holding only outdoor equipment.
    The number of queries does not depend on the number of rows.
    """
    sites = sites_visible_to(access).select_related("organisation")
    if only_matching:
        sites = sites.filter(Exists(buildings.filter(site_id=OuterRef("pk"))))
    tree_buildings = buildings.annotate(equipment_count=Count("equipment", distinct=True)).order_by("search_text")
    site_equipment = equipment_visible_to(access).filter(site_id=OuterRef("pk"), building__isnull=True)
    return (
        sites.order_by("search_text")
        .annotate(
            outdoor_equipment=Coalesce(
                site_equipment.order_by().values("site_id").annotate(n=Count("pk")).values("n")[:1], 0
            )
        )
        .prefetch_related(Prefetch("buildings", queryset=tree_buildings, to_attr="tree_buildings"))
    )


# --- What a building, site or equipment page shows.


def building_levels(access: Access, building: Building) -> QuerySet[Level]:
    spaces = spaces_visible_to(access).order_by("name")
    return (
        levels_visible_to(access)
        .filter(building=building)
        .order_by("position", "name")
        .prefetch_related(Prefetch("spaces", queryset=spaces))
    )


def building_equipment(access: Access, building: Building) -> QuerySet[Equipment]:
    return (
        equipment_visible_to(access)
        .filter(building=building)
        .select_related("category", "level", "space", "space__level")
        .order_by("category__name", "search_text")
    )


def site_equipment(access: Access, site: Site) -> QuerySet[Equipment]:
    """Equipment attached to the site itself, outside any building (street lights, playground)."""
    return (
        equipment_visible_to(access)
        .filter(site=site, building__isnull=True)
        .select_related("category")
        .order_by("category__name", "search_text")
    )


def site_buildings(access: Access, site: Site) -> QuerySet[Building]:
    return (
        buildings_visible_to(access)
        .filter(site=site)
        .annotate(equipment_count=Count("equipment", distinct=True))
        .order_by("search_text")
    )


def _orders_on(access: Access, **target) -> QuerySet[WorkOrder]:
    return work_orders_visible_to(access).filter(**target).select_related("trade", "team", "contractor", "equipment")


def _building_orders(access: Access, building: Building) -> QuerySet[WorkOrder]:
    """Orders on the building or on one of its equipment items. The items' ids are read first (once per
    page, kept on the building): `equipment IN (ids)` and `building =` are two index branches, where
    an OR across the join to the equipment had PostgreSQL read every order of the organisation."""
    if not hasattr(building, "equipment_ids"):
        building.equipment_ids = list(Equipment._base_manager.filter(building=building).values_list("pk", flat=True))
    return work_orders_visible_to(access).filter(Q(building=building) | Q(equipment_id__in=building.equipment_ids))


def building_open_work_orders(access: Access, building: Building) -> QuerySet[WorkOrder]:
    return (
        _building_orders(access, building)
        .filter(status__in=WorkOrder.OPEN_STATUSES)
        .select_related("trade", "team", "contractor", "equipment")
        .order_by("-priority", "due_date", "-created_at")
    )


def _newest_first(orders: QuerySet[WorkOrder]) -> QuerySet[WorkOrder]:
    return orders.annotate(closed_at=Coalesce("validated_at", "completed_at", "updated_at")).order_by(
        "-closed_at", "-created_at"
    )


def building_work_order_history(access: Access, building: Building) -> QuerySet[WorkOrder]:
    """Closed orders (done, validated, cancelled), newest first."""
    closed = _building_orders(access, building).exclude(status__in=WorkOrder.OPEN_STATUSES)
    return _newest_first(closed.select_related("trade", "equipment"))


def equipment_work_orders(access: Access, equipment: Equipment) -> QuerySet[WorkOrder]:
    """Every order on this equipment, newest first, with the technician's report notes."""
    return _newest_first(_orders_on(access, equipment=equipment).select_related("report"))


# --- Whether an asset may still be deleted.

_HISTORY_LINKS = {
    # model: (field of WorkOrder / WorkRequest pointing at it or None, contents that block deletion)
    Site: ("site", ("buildings", "equipment")),
    Building: ("building", ("levels", "equipment")),
    Level: (None, ("spaces", "equipment")),
    Space: ("space", ("equipment",)),
    Equipment: ("equipment", ()),
}


def asset_has_history(asset) -> bool:
    """True when the asset has work orders, work requests, documents or contents.

    Counted over every organisation (not the viewer's scope): an order filed by a shared team
    still makes history for the commune's building.
    """
    link, contents = _HISTORY_LINKS[type(asset)]
    if link is not None:
        for model in (WorkOrder, WorkRequest):
            if model._base_manager.filter(**{link: asset.pk}).exists():
                return True
    documents = Document._base_manager.filter(content_type=ContentType.objects.get_for_model(asset), object_id=asset.pk)
    if documents.exists():
        return True
    for related_name in contents:
        relation = asset._meta.get_field(related_name)
        if relation.related_model._base_manager.filter(**{relation.field.name: asset.pk}).exists():
            return True
    return False
