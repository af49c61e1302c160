from django.urls import path

from patrimoine.costs import views

app_name = "costs"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("taux/", views.rates, name="rates"),
    path("bons/<uuid:pk>/", views.work_order_costs, name="work-order"),
    path("bons/<uuid:pk>/temps/", views.time_add, name="time-add"),
    path("bons/<uuid:pk>/materiel/", views.material_add, name="material-add"),
    path("bons/<uuid:pk>/prestations/", views.external_add, name="external-add"),
    path("bons/<uuid:pk>/lignes/<str:kind>/<uuid:line_pk>/retirer/", views.line_remove, name="line-remove"),
]
