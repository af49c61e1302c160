"""The project's URLs plus a view that fails, for the error page tests."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path

from patrimoine.urls import handler500, urlpatterns as project_urls  # noqa: F401 — handler500 is looked up here


@login_not_required
def boom(request):
    raise RuntimeError("panne simulée")


urlpatterns = [path("panne/", boom, name="boom"), *project_urls]
