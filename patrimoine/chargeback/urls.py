from django.urls import path

from patrimoine.chargeback import views

app_name = "chargeback"

urlpatterns = [
    path("", views.statement_list, name="list"),
    path("nouveau/", views.statement_new, name="new"),
    path("rapprochement/", views.reconciliation_view, name="reconciliation"),
    path("<uuid:pk>/", views.statement_detail, name="detail"),
    path("<uuid:pk>/pdf/", views.statement_pdf, name="pdf"),
    path("<uuid:pk>/export/", views.statement_export, name="export"),
]
