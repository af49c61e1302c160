from django.urls import path

from patrimoine.imports import views

app_name = "imports"

urlpatterns = [
    path("", views.home, name="home"),
    path("export.geojson", views.geojson_export, name="geojson-export"),
    path("<uuid:pk>/", views.job_detail, name="job-detail"),
    path("<uuid:pk>/correspondance/", views.job_mapping, name="job-mapping"),
    path("<uuid:pk>/lancer/", views.job_commit, name="job-commit"),
]
