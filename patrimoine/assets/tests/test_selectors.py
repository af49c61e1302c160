import pytest
from django.http import Http404
from django_scopes import scope

from conftest import access_of
from patrimoine.assets import selectors

pytestmark = [pytest.mark.django_db]


def _scoped(access):
    return scope(organisation=sorted(access.read_org_ids))


def test_manager_sees_own_commune_buildings_only(world):
    access = access_of(world.claire)
    with _scoped(access):
        assert list(selectors.buildings_visible_to(access)) == [world.school]
        assert selectors.get_building_for(access, world.school.pk) == world.school
        with pytest.raises(Http404):
            selectors.get_building_for(access, world.gym.pk)


def test_another_communes_building_answers_like_a_missing_one(world):
    access = access_of(world.claire)
    with _scoped(access):
        with pytest.raises(Http404):
            selectors.get_building_for(access, "00000000-0000-0000-0000-000000000000")
        with pytest.raises(Http404):
            selectors.get_building_for(access, "not-a-uuid")
        with pytest.raises(Http404):
            selectors.get_site_for(access, world.gym.site_id)


def test_even_outside_a_request_scope_the_selector_keeps_to_the_users_organisations(world, unscoped):
    access = access_of(world.claire)
    assert list(selectors.buildings_visible_to(access)) == [world.school]


def test_contractor_sees_no_asset_at_all(f, world):
    equipment = f.equipment(world.school)
    access = access_of(world.prestataire)
    with _scoped(access):
        assert not selectors.sites_visible_to(access).exists()
        assert not selectors.buildings_visible_to(access).exists()
        assert not selectors.equipment_visible_to(access).exists()
        with pytest.raises(Http404):
            selectors.get_building_for(access, world.school.pk)
        with pytest.raises(Http404):
            selectors.get_equipment_for(access, equipment.pk)


def test_epci_reader_sees_member_communes(f, world):
    reader = f.user("lecteur.epci", role="lecteur", organisation=world.epci)
    access = access_of(reader)
    with _scoped(access):
        assert set(selectors.buildings_visible_to(access)) == {world.school, world.gym}


@pytest.mark.parametrize(
    "query", ["ecole", "ÉCOLE", "École", "jules ferry", "ecole-jf", "85310", "rue des ecoles", "NESMY"]
)
def test_building_search_ignores_case_and_accents(world, query):
    access = access_of(world.claire)
    with _scoped(access):
        found = selectors.buildings_matching(selectors.buildings_visible_to(access), query)
        assert list(found) == [world.school]


def test_building_search_needs_every_word(world):
    access = access_of(world.claire)
    with _scoped(access):
        assert not selectors.buildings_matching(selectors.buildings_visible_to(access), "ecole gymnase").exists()


def test_search_never_finds_another_communes_building(world):
    access = access_of(world.claire)
    with _scoped(access):
        assert not selectors.buildings_matching(selectors.buildings_visible_to(access), "acacias").exists()


def test_equipment_search_matches_its_own_fields_and_its_building(f, world):
    boiler = f.equipment(world.school, "Chaudière gaz", code="CH-01", brand="De Dietrich")
    f.equipment(world.gym, "Chaudière fioul", code="CH-02")
    access = access_of(world.claire)
    with _scoped(access):
        equipment = selectors.equipment_visible_to(access)
        assert list(selectors.equipment_matching(equipment, "chaudiere")) == [boiler]
        assert list(selectors.equipment_matching(equipment, "chaudière ferry")) == [boiler]
        assert list(selectors.equipment_matching(equipment, "dietrich")) == [boiler]
        assert list(selectors.equipment_matching(equipment, "ch-01")) == [boiler]
        assert not selectors.equipment_matching(equipment, "chaudière acacias").exists()


def test_rows_bulk_created_by_an_import_are_searchable(world, unscoped):
    from patrimoine.assets.models import Building

    Building.objects.bulk_create(
        [Building(organisation=world.nesmy, site=world.school.site, name="Salle des fêtes Œuvre", code="SDF")]
    )
    access = access_of(world.claire)
    found = selectors.buildings_matching(selectors.buildings_visible_to(access), "fetes oeuvre")
    assert [b.code for b in found] == ["SDF"]


def test_search_text_follows_edits(world, unscoped):
    world.school.name = "École Marie Curie"
    world.school.save()
    world.school.refresh_from_db()
    assert "ecole marie curie" in world.school.search_text


def test_site_tree_lists_sites_with_their_buildings_and_outdoor_equipment(f, world):
    lighting_site = f.site(world.nesmy, "Éclairage public — bourg", code="EP")
    f.equipment(world.school, "Tableau électrique")
    with_site = f.equipment(world.school, "Lampadaire 12")
    with scope(organisation=[world.nesmy.pk]):
        from patrimoine.assets.models import Equipment

        Equipment.objects.filter(pk=with_site.pk).update(site=lighting_site, building=None)
    access = access_of(world.claire)
    with _scoped(access):
        sites = {
            s.name: s for s in selectors.site_tree(access, selectors.buildings_visible_to(access), only_matching=False)
        }
        assert set(sites) == {"Groupe scolaire Jules Ferry", "Éclairage public — bourg"}
        school_site = sites["Groupe scolaire Jules Ferry"]
        assert [b.name for b in school_site.tree_buildings] == ["École élémentaire Jules Ferry"]
        assert school_site.tree_buildings[0].equipment_count == 1
        assert sites["Éclairage public — bourg"].outdoor_equipment == 1
