from django.urls import path

from patrimoine.reporting import views

app_name = "reporting"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("couts/", views.costs, name="costs"),
    path("annuel/", views.annual, name="annual"),
    path("annuel/pdf/", views.annual_pdf, name="annual-pdf"),
]
