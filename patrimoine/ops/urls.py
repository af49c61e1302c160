from django.urls import path

from patrimoine.ops import views

app_name = "ops"

urlpatterns = [
    path("readyz", views.readyz, name="readyz"),
    path("metrics", views.metrics, name="metrics"),
    path("exploitation/", views.instance, name="instance"),
]
