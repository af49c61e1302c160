from django.urls import path

from patrimoine.maintenance import views

app_name = "maintenance"

urlpatterns = [
    path("", views.compliance, name="compliance"),
    path("batiments/<uuid:building_pk>/", views.building_compliance, name="building-compliance"),
    path("batiments/<uuid:building_pk>/registre.pdf", views.building_register, name="building-register"),
    path("batiments/<uuid:building_pk>/catalogue/", views.building_catalogue, name="building-catalogue"),
    path("batiments/<uuid:building_pk>/calendrier/", views.building_calendar, name="building-calendar"),
    path("plans/", views.plan_list, name="plan-list"),
    path("plans/nouveau/", views.plan_create, name="plan-create"),
    path("plans/<uuid:pk>/", views.plan_detail, name="plan-detail"),
    path("plans/<uuid:pk>/modifier/", views.plan_edit, name="plan-edit"),
    path("plans/<uuid:pk>/archiver/", views.plan_archive, name="plan-archive"),
    path("plans/<uuid:pk>/releve/", views.plan_reading, name="plan-reading"),
    path("echeances/<uuid:pk>/", views.occurrence_detail, name="occurrence-detail"),
    path("echeances/<uuid:pk>/rapport/", views.occurrence_report, name="occurrence-report"),
    path("echeances/<uuid:pk>/reserves/", views.occurrence_finding, name="occurrence-finding"),
    path("reserves/<uuid:pk>/relancer/", views.finding_reopen, name="finding-reopen"),
    path("calendrier/", views.calendar_index, name="calendar"),
    path("equipes/<uuid:team_pk>/calendrier/", views.team_calendar, name="team-calendar"),
    path("ical/<str:token>/equipes/<uuid:team_pk>.ics", views.ical_team, name="ical-team"),
    path("ical/<str:token>/batiments/<uuid:building_pk>.ics", views.ical_building, name="ical-building"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("generation/", views.generation, name="generation"),
    path("preferences/", views.preferences, name="preferences"),
]
