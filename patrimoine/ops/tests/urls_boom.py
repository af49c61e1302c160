"""The project's URLs plus a view that fails, for the error page tests."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path

from patrimoine.urls import handler500  # noqa: F401 — handler500 is looked up here
from patrimoine.urls import urlpatterns as project_urls


@login_not_required
def boom(request):
    raise RuntimeError("panne simulée")


urlpatterns = [path("panne/", boom, name="boom"), *project_urls]
