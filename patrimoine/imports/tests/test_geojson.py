"""GeoJSON export of buildings and equipment, and the round trip through the import."""

import json
from decimal import Decimal

import pytest

from conftest import access_of
from patrimoine.assets.models import Building, Equipment
from patrimoine.imports import services
from patrimoine.imports.models import ImportJob, Kind
from patrimoine.organisations.models import Membership

pytestmark = pytest.mark.django_db


def _world(f, commune):
    site = f.site(commune, code="GS", name="Groupe scolaire")
    school = f.building(
        commune,
        "École Jules-Ferry",
        site_obj=site,
        code="GS-JF",
        address="12 rue des Écoles",
        postal_code="85190",
        city="Venansault",
        surface_m2=Decimal("1234.50"),
        latitude=Decimal("46.682100"),
        longitude=Decimal("-1.512300"),
        is_erp=True,
        erp_type="R",
        erp_category=4,
    )
    f.equipment(school, "Chaudière", code="CH-01", brand="De Dietrich")
    f.building(commune, "Hangar", code="HG")  # no coordinates: geometry null
    return school


def _download(client, kind) -> dict:
    response = client.get(f"/reprise/export.geojson?type={kind}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    return json.loads(response.content)


def test_export_is_a_feature_collection_with_points_and_properties(f, commune, manager, login):
    _world(f, commune)
    f.building(f.organisation("Nesmy"), "Secret de Nesmy", code="NESMY")
    data = _download(login(manager, commune), "batiments")
    assert data["type"] == "FeatureCollection"
    by_code = {feature["properties"]["code"]: feature for feature in data["features"]}
    assert set(by_code) == {"GS-JF", "HG"}  # never another commune's buildings
    school = by_code["GS-JF"]
    assert school["geometry"] == {"type": "Point", "coordinates": [-1.5123, 46.6821]}
    assert school["properties"]["surface_m2"] == 1234.5 and school["properties"]["site_code"] == "GS"
    assert by_code["HG"]["geometry"] is None
    equipment = _download(login(manager, commune), "equipements")["features"]
    assert equipment[0]["properties"]["building_code"] == "GS-JF"
    assert equipment[0]["geometry"]["coordinates"] == [-1.5123, 46.6821]  # the building's place


def test_geojson_round_trip_into_another_commune(f, commune, manager, login, unscoped):
    _world(f, commune)
    client = login(manager, commune)
    buildings, equipment = _download(client, "batiments"), _download(client, "equipements")
    other = f.organisation("Nesmy")
    boss = f.user(role=Membership.Role.MANAGER, organisation=other)
    access = access_of(boss, other)
    for kind, data in ((Kind.BUILDINGS, buildings), (Kind.EQUIPMENT, equipment)):
        content = json.dumps(data).encode()
        job = services.job_create(access=access, kind=kind, filename="export.geojson", content=content)
        assert job.file_format == "geojson"
        services.job_check(access=access, job=job, mapping=job.mapping)
        job = services.job_verify(job.pk)
        assert job.errors == []
        ImportJob._base_manager.filter(pk=job.pk).update(status=ImportJob.Status.QUEUED)
        assert services.job_run(job.pk).status == ImportJob.Status.DONE
    copy = Building.objects.get(organisation=other, code="GS-JF")
    original = Building.objects.get(organisation=commune, code="GS-JF")
    fields = ("name", "address", "postal_code", "city", "surface_m2", "latitude", "longitude", "is_erp", "erp_type")
    assert [getattr(copy, name) for name in fields] == [getattr(original, name) for name in fields]
    assert copy.site.code == "GS" and copy.erp_category == 4
    assert Equipment.objects.get(organisation=other, code="CH-01").building == copy
    again = _download(login(boss, other), "batiments")
    strip = [{k: v for k, v in feat.items() if k != "id"} for feat in buildings["features"]]
    assert [{k: v for k, v in feat.items() if k != "id"} for feat in again["features"]] == strip


def test_geojson_with_bad_features_is_refused_row_by_row(manager, commune, unscoped):
    data = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [-1.5, 46.6]},
                "properties": {"code": "A"},
            },
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [200, 95]},
                "properties": {"code": "B", "name": "x"},
            },
        ],
    }
    access = access_of(manager, commune)
    job = services.job_create(
        access=access, kind=Kind.BUILDINGS, filename="x.geojson", content=json.dumps(data).encode()
    )
    services.job_check(access=access, job=job, mapping=job.mapping)
    job = services.job_verify(job.pk)
    assert [(e["line"], e["column"]) for e in job.errors][0] == (1, "name")
    assert {e["line"] for e in job.errors} == {1, 2}
    assert not Building.objects.exists()


def test_polygons_are_refused_with_a_french_message(manager, commune):
    data = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "geometry": {"type": "Polygon"}, "properties": {}}],
    }
    with pytest.raises(Exception, match="Point"):
        services.job_create(
            access=access_of(manager, commune),
            kind=Kind.BUILDINGS,
            filename="x.geojson",
            content=json.dumps(data).encode(),
        )


def test_unknown_export_type_is_a_400(client, manager, commune, login):
    assert login(manager, commune).get("/reprise/export.geojson?type=tout").status_code == 400


def test_export_needs_the_assets_view_action(f, commune, login):
    contractor = f.user(role=Membership.Role.CONTRACTOR, organisation=commune)
    assert login(contractor, commune).get("/reprise/export.geojson").status_code == 403
