from django.urls import path

from patrimoine.stock.views import catalogue, stores

app_name = "stock"

urlpatterns = [
    path("", catalogue.catalogue, name="catalogue"),
    path("articles/", catalogue.item_search, name="item-search"),
    path("articles/nouveau/", catalogue.item_create, name="item-create"),
    path("articles/<uuid:pk>/", catalogue.item_detail, name="item-detail"),
    path("articles/<uuid:pk>/modifier/", catalogue.item_edit, name="item-edit"),
    path("articles/<uuid:pk>/seuil/", catalogue.item_threshold, name="item-threshold"),
    path("articles/<uuid:pk>/fournisseurs/", catalogue.item_supplier_add, name="item-supplier-add"),
    path("alertes/", stores.alerts, name="alerts"),
    path("magasins/", stores.store_list, name="store-list"),
    path("magasins/nouveau/", stores.store_create, name="store-create"),
    path("magasins/reglages/", stores.stock_settings, name="settings"),
    path("magasins/<uuid:pk>/", stores.store_detail, name="store-detail"),
    path("magasins/<uuid:pk>/entree/", stores.store_receipt, name="store-receipt"),
    path("magasins/<uuid:pk>/transfert/", stores.store_transfer, name="store-transfer"),
    path("magasins/<uuid:pk>/inventaire/", stores.store_count, name="store-count"),
]
