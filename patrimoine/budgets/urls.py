from django.urls import path

from patrimoine.budgets import views

app_name = "budgets"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("non-imputes/", views.unimputed, name="unimputed"),
    path("lignes/nouvelle/", views.line_create, name="line-create"),
    path("lignes/<uuid:pk>/", views.line_detail, name="line-detail"),
    path("lignes/<uuid:pk>/modifier/", views.line_edit, name="line-edit"),
    path("bons/<uuid:pk>/imputation/", views.imputation, name="imputation"),
]
