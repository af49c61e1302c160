from django.contrib.auth.decorators import login_not_required
from django.urls import path

from patrimoine.api import views

app_name = "api"

urlpatterns = [
    path("jetons/", views.tokens, name="tokens"),
    path("jetons/<uuid:pk>/revoquer/", views.token_revoke, name="token-revoke"),
    path("v1/docs", login_not_required(views.docs), name="docs"),
]
