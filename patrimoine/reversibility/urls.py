from django.urls import path

from . import views

app_name = "reversibility"

urlpatterns = [
    path("", views.home, name="home"),
    path("<uuid:pk>/archive/", views.download, name="download"),
]
