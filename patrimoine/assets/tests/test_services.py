from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django_scopes import scopes_disabled

from conftest import access_of
from patrimoine.assets import services
from patrimoine.assets.models import AssetStatus, Building, Equipment, Level, Site, Space
from patrimoine.core.errors import ConcurrentEditError, DomainError, PermissionRefused
from patrimoine.core.models import AuditEntry
from patrimoine.documents.models import Document

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]

BUILDING_HISTORY = "Ce bâtiment a un historique : il ne peut pas être supprimé, seulement archivé."


def _fresh(obj):
    with scopes_disabled():
        return type(obj)._base_manager.get(pk=obj.pk)


def _exists(obj) -> bool:
    return type(obj)._base_manager.filter(pk=obj.pk).exists()


# --- Create and update


def test_manager_creates_a_site_and_a_building_with_audit(world):
    access = access_of(world.claire)
    site = services.site_create(
        access=access, organisation=world.nesmy, fields={"name": "Mairie", "code": "MAIRIE", "city": "Nesmy"}
    )
    building = services.building_create(
        access=access,
        site=site,
        fields={"name": "Hôtel de ville", "code": "HDV", "is_erp": True, "erp_type": "W", "erp_category": 5},
    )
    assert building.organisation_id == world.nesmy.pk and building.site == site
    assert "hotel de ville" in _fresh(building).search_text
    actions = set(
        AuditEntry.objects.filter(target_id__in=[str(site.pk), str(building.pk)]).values_list("action", flat=True)
    )
    assert actions == {"site.create", "building.create"}


def test_erp_building_needs_type_and_category(world):
    with pytest.raises(DomainError, match="type et une catégorie ERP"):
        services.building_create(
            access=access_of(world.claire),
            site=world.school.site,
            fields={"name": "Cantine", "code": "CANT", "is_erp": True, "erp_type": "R"},
        )
    assert not Building.objects.filter(code="CANT").exists()


def test_non_erp_building_forgets_erp_fields(world):
    building = services.building_create(
        access=access_of(world.claire),
        site=world.school.site,
        fields={"name": "Préau", "code": "PREAU", "is_erp": False, "erp_type": "R", "erp_category": 5},
    )
    assert (building.erp_type, building.erp_category) == ("", None)


def test_code_is_unique_within_a_commune_but_free_across_communes(world):
    access = access_of(world.claire)
    with pytest.raises(DomainError, match="déjà utilisé"):
        services.building_create(access=access, site=world.school.site, fields={"name": "Autre", "code": "ECOLE-JF"})
    # Venansault's code GYM-AC may be reused in Nesmy.
    services.building_create(access=access, site=world.school.site, fields={"name": "Gymnase", "code": "GYM-AC"})


def test_requester_cannot_create_or_edit_and_nothing_changes(world):
    nadia = access_of(world.nadia)
    with pytest.raises(PermissionRefused):
        services.building_create(access=nadia, site=world.school.site, fields={"name": "X", "code": "X"})
    with pytest.raises(PermissionRefused):
        services.building_update(
            access=nadia, building=world.school, expected_version=world.school.version, fields={"name": "Piraté"}
        )
    assert _fresh(world.school).name == "École élémentaire Jules Ferry"
    assert not Building.objects.filter(code="X").exists()


def test_manager_cannot_touch_another_communes_building(world):
    access = access_of(world.gestionnaire_venansault)
    with pytest.raises(PermissionRefused):
        services.building_update(
            access=access, building=world.school, expected_version=world.school.version, fields={"name": "Piraté"}
        )
    with pytest.raises(PermissionRefused):
        services.asset_archive(access=access, asset=world.school)
    with pytest.raises(PermissionRefused):
        services.asset_delete(access=access, asset=world.school)
    school = _fresh(world.school)
    assert (school.name, school.status) == ("École élémentaire Jules Ferry", AssetStatus.IN_SERVICE)


def test_building_cannot_move_to_another_communes_site(world):
    with pytest.raises(DomainError, match="même collectivité"):
        services.building_update(
            access=access_of(world.claire),
            building=world.school,
            expected_version=world.school.version,
            fields={"site": world.gym.site},
        )
    assert _fresh(world.school).site_id == world.school.site_id


def test_building_update_bumps_the_version_and_records_what_changed(world):
    access = access_of(world.claire)
    services.building_update(
        access=access,
        building=world.school,
        expected_version=1,
        fields={"name": "École Jules Ferry", "surface_m2": Decimal("1250.50")},
    )
    school = _fresh(world.school)
    assert (school.name, school.surface_m2, school.version) == ("École Jules Ferry", Decimal("1250.50"), 2)
    assert "ecole jules ferry" in school.search_text
    entry = AuditEntry.objects.get(action="building.update", target_id=str(school.pk))
    assert entry.data["name"] == ["École élémentaire Jules Ferry", "École Jules Ferry"]


def test_second_save_on_a_stale_version_is_refused_and_changes_nothing(world):
    access = access_of(world.claire)
    first, second = _fresh(world.school), _fresh(world.school)
    services.building_update(access=access, building=first, expected_version=1, fields={"name": "Premier"})
    with pytest.raises(ConcurrentEditError, match="modifié par quelqu'un d'autre"):
        services.building_update(access=access, building=second, expected_version=1, fields={"name": "Second"})
    school = _fresh(world.school)
    assert (school.name, school.version) == ("Premier", 2)


def test_equipment_stale_save_is_refused(f, world):
    boiler = f.equipment(world.school, "Chaudière")
    access = access_of(world.claire)
    services.equipment_update(access=access, equipment=_fresh(boiler), expected_version=1, fields={"name": "A"})
    with pytest.raises(ConcurrentEditError):
        services.equipment_update(access=access, equipment=_fresh(boiler), expected_version=1, fields={"name": "B"})
    assert _fresh(boiler).name == "A"


# --- Equipment placement


def test_equipment_in_a_space_gets_its_level_building_and_site(f, world):
    level = f.level(world.school)
    kitchen = f.space(level, "Cuisine")
    equipment = services.equipment_create(
        access=access_of(world.claire),
        fields={"name": "Hotte", "code": "HOT-1", "category": f.category("cuisine"), "space": kitchen},
    )
    assert (equipment.level, equipment.building, equipment.site) == (level, world.school, world.school.site)
    assert equipment.organisation_id == world.nesmy.pk


def test_equipment_placement_must_be_consistent(f, world):
    access = access_of(world.claire)
    other = f.building(world.nesmy, "Mairie")
    level = f.level(other)
    category = f.category()
    with pytest.raises(DomainError, match="n'appartient pas au bâtiment"):
        services.equipment_create(
            access=access,
            fields={"name": "Radiateur", "code": "R1", "category": category, "building": world.school, "level": level},
        )
    with pytest.raises(DomainError, match="ne se trouve pas sur le site"):
        services.equipment_create(
            access=access,
            fields={
                "name": "Radiateur",
                "code": "R1",
                "category": category,
                "site": other.site,
                "building": world.school,
            },
        )
    with pytest.raises(DomainError, match="Indiquez au moins le site"):
        services.equipment_create(access=access, fields={"name": "Radiateur", "code": "R1", "category": category})
    assert not Equipment.objects.filter(code="R1").exists()


def test_equipment_cannot_be_placed_in_another_commune(f, world):
    boiler = f.equipment(world.school)
    with pytest.raises(DomainError, match="même collectivité"):
        services.equipment_update(
            access=access_of(world.claire),
            equipment=boiler,
            expected_version=1,
            fields={"site": world.gym.site, "building": world.gym},
        )
    assert _fresh(boiler).building_id == world.school.pk


def test_equipment_can_stand_on_a_site_outside_any_building(f, world):
    playground = services.equipment_create(
        access=access_of(world.claire),
        fields={
            "name": "Aire de jeux",
            "code": "AJ-1",
            "category": f.category("aires-de-jeux"),
            "site": world.school.site,
        },
    )
    assert playground.building is None and playground.site == world.school.site


def test_level_names_are_unique_in_a_building(f, world):
    access = access_of(world.claire)
    services.level_create(access=access, building=world.school, fields={"name": "R+1", "position": 1})
    with pytest.raises(DomainError, match="déjà un niveau"):
        services.level_create(access=access, building=world.school, fields={"name": "R+1", "position": 2})


# --- Archive and delete


def test_archiving_a_building_archives_what_it_contains_and_keeps_history(f, world):
    level = f.level(world.school)
    space = f.space(level)
    boiler = f.equipment(world.school)
    order = f.work_order(world.nesmy, building_obj=world.school)
    services.asset_archive(access=access_of(world.claire), asset=world.school)
    assert _fresh(world.school).status == AssetStatus.ARCHIVED
    assert _fresh(world.school).version == 2
    for obj in (level, space, boiler):
        assert _fresh(obj).status == AssetStatus.ARCHIVED
    assert _fresh(order).building_id == world.school.pk
    assert AuditEntry.objects.filter(action="building.archive", target_id=str(world.school.pk)).exists()


def test_archiving_twice_is_refused(world):
    access = access_of(world.claire)
    services.asset_archive(access=access, asset=world.school)
    with pytest.raises(DomainError, match="déjà archivé"):
        services.asset_archive(access=access, asset=world.school)


@pytest.mark.parametrize("history", ["work_order", "work_request", "document", "level", "equipment"])
def test_building_with_history_cannot_be_deleted(f, world, history):
    school = world.school
    if history == "work_order":
        f.work_order(world.nesmy, building_obj=school)
    elif history == "work_request":
        f.work_request(world.nesmy, building_obj=school)
    elif history == "document":
        Document.objects.create(
            organisation=world.nesmy,
            content_type=ContentType.objects.get_for_model(Building),
            object_id=school.pk,
            kind=Document.Kind.DOCUMENT,
            file="x.pdf",
            original_name="plan.pdf",
            mime_type="application/pdf",
            size=10,
        )
    elif history == "level":
        f.level(school)
    else:
        f.equipment(school)
    with pytest.raises(DomainError) as refused:
        services.asset_delete(access=access_of(world.claire), asset=school)
    assert refused.value.message == BUILDING_HISTORY
    assert _exists(school)
    assert not AuditEntry.objects.filter(action="building.delete").exists()


def test_equipment_with_a_work_order_cannot_be_deleted(f, world):
    boiler = f.equipment(world.school)
    f.work_order(world.nesmy, building_obj=world.school, equipment=boiler)
    with pytest.raises(DomainError, match="Cet équipement a un historique"):
        services.asset_delete(access=access_of(world.claire), asset=boiler)
    assert _exists(boiler)


def test_asset_entered_by_mistake_is_deleted(f, world):
    access = access_of(world.claire)
    level = f.level(world.school)
    space = f.space(level)
    for asset in (space, level, world.school, world.school.site):
        services.asset_delete(access=access, asset=_fresh(asset))
        assert not _exists(asset)
    assert AuditEntry.objects.filter(action="building.delete", target_id=str(world.school.pk)).exists()
    assert not Level.objects.exists() and not Space.objects.filter(pk=space.pk).exists()
    assert not Site.objects.filter(pk=world.school.site_id).exists()
