from django.urls import path

from patrimoine.workorders import views

app_name = "workorders"

urlpatterns = [
    path("", views.work_order_list, name="list"),
    path("nouveau/", views.work_order_create, name="create"),
    path("planning/", views.planning, name="planning"),
    path("a-valider/", views.to_validate, name="to-validate"),
    path("<uuid:pk>/", views.work_order_detail, name="detail"),
    path("<uuid:pk>/modifier/", views.work_order_edit, name="edit"),
    path("<uuid:pk>/planifier/", views.work_order_plan, name="plan"),
    path("<uuid:pk>/creneau/", views.plan_slot, name="plan-slot"),
    path("<uuid:pk>/statut/", views.work_order_transition, name="transition"),
    path("<uuid:pk>/points/<uuid:item_pk>/", views.checklist_toggle, name="checklist-toggle"),
    path("<uuid:pk>/compte-rendu/", views.report_save, name="report"),
    path("<uuid:pk>/photos/", views.photo_add, name="photo-add"),
]
