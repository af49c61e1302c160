from django.urls import path

from patrimoine.triage import views

app_name = "triage"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("activation/", views.switch, name="switch"),
    path("entrainer/", views.train, name="train"),
]
