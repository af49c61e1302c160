from django.urls import path

from patrimoine.field import views

app_name = "field"

urlpatterns = [
    path("", views.app, name="app"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="sw"),
    path("api/donnees/", views.bootstrap, name="bootstrap"),
    path("api/catalogue/", views.catalogue, name="catalogue"),
    path("api/sync/", views.sync, name="sync"),
    path("api/photos/", views.photo, name="photo"),
    path("api/signalements/", views.problem_report, name="problem"),
    path("a-regulariser/", views.conflict_list, name="conflicts"),
    path("a-regulariser/<uuid:pk>/", views.conflict_detail, name="conflict-detail"),
    path("a-regulariser/<uuid:pk>/fichier/", views.conflict_attachment, name="conflict-attachment"),
    path("bons/<uuid:pk>/signature/", views.order_signature, name="order-signature"),
]
