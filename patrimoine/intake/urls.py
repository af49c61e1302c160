from django.urls import path

from patrimoine.intake import views

app_name = "intake"

urlpatterns = [
    path("", views.request_list, name="list"),
    path("nouvelle/", views.request_create, name="create"),
    path("<uuid:pk>/", views.request_detail, name="detail"),
    path("<uuid:pk>/accepter/", views.request_accept, name="accept"),
    path("<uuid:pk>/rejeter/", views.request_reject, name="reject"),
    path("<uuid:pk>/fusionner/", views.request_merge, name="merge"),
]
