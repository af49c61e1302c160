from django.urls import path

from patrimoine.assets.views import browse, edit

app_name = "assets"


def _kind_routes(prefix: str, kind: str) -> list:
    """Archive, delete (confirmation + action) and, for the pages that show documents, upload."""
    routes = [
        path(f"{prefix}/<uuid:pk>/archiver/", edit.asset_archive, {"kind": kind}, name=f"{kind}-archive"),
        path(f"{prefix}/<uuid:pk>/supprimer/", edit.asset_delete, {"kind": kind}, name=f"{kind}-delete"),
    ]
    if kind in edit.PAGES:
        routes.append(path(f"{prefix}/<uuid:pk>/documents/", edit.asset_upload, {"kind": kind}, name=f"{kind}-upload"))
    return routes


urlpatterns = [
    path("", browse.asset_list, name="list"),
    path("sites/nouveau/", edit.site_create, name="site-create"),
    path("sites/<uuid:pk>/", browse.site_detail, name="site-detail"),
    path("sites/<uuid:pk>/modifier/", edit.site_edit, name="site-edit"),
    path("batiments/nouveau/", edit.building_create, name="building-create"),
    path("batiments/<uuid:pk>/", browse.building_detail, name="building-detail"),
    path("batiments/<uuid:pk>/modifier/", edit.building_edit, name="building-edit"),
    path("batiments/<uuid:building_pk>/niveaux/nouveau/", edit.level_create, name="level-create"),
    path("niveaux/<uuid:pk>/modifier/", edit.level_edit, name="level-edit"),
    path("niveaux/<uuid:level_pk>/locaux/nouveau/", edit.space_create, name="space-create"),
    path("locaux/<uuid:pk>/modifier/", edit.space_edit, name="space-edit"),
    path("equipements/nouveau/", edit.equipment_create, name="equipment-create"),
    path("equipements/<uuid:pk>/", browse.equipment_detail, name="equipment-detail"),
    path("equipements/<uuid:pk>/modifier/", edit.equipment_edit, name="equipment-edit"),
    *_kind_routes("sites", "site"),
    *_kind_routes("batiments", "building"),
    *_kind_routes("niveaux", "level"),
    *_kind_routes("locaux", "space"),
    *_kind_routes("equipements", "equipment"),
]
