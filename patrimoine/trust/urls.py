from django.urls import path

from patrimoine.trust import views

app_name = "trust"

urlpatterns = [
    path("journal/", views.audit_list, name="audit-list"),
    path("donnees-personnelles/", views.personal_data, name="personal-data"),
    path("registre-des-traitements/", views.processing_register, name="register"),
]
