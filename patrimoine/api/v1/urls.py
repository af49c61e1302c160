"""Mounts the API: every router on the one NinjaAPI, and its URL patterns opened to token callers
(the site's LoginRequiredMiddleware would otherwise send them to the sign-in page)."""

from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern, re_path
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from patrimoine.api.v1 import assets, catalogue, orders
from patrimoine.api.v1.core import api, error_response

api.add_router("", catalogue.router)
api.add_router("", assets.router)
api.add_router("", orders.router)


def _open(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            login_not_required(pattern.callback)
    return patterns


@csrf_exempt
def not_found(request, rest=""):
    """Any other address under /api/v1/ (a malformed id included) answers in JSON too."""
    return error_response(404, _("Ressource introuvable."))


patterns, app_name, namespace = api.urls
urls = (_open([*patterns, re_path(r"^(?P<rest>(?s:.*))\Z", not_found)]), app_name, namespace)
