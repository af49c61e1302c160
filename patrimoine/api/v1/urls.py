"""Mounts the API: every router on the one NinjaAPI, and its URL patterns opened to token callers
(the site's LoginRequiredMiddleware would otherwise send them to the sign-in page)."""

from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern

from patrimoine.api.v1 import assets, catalogue, orders
from patrimoine.api.v1.core import api

api.add_router("", catalogue.router)
api.add_router("", assets.router)
api.add_router("", orders.router)


def _open(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            login_not_required(pattern.callback)
    return patterns


patterns, app_name, namespace = api.urls
urls = (_open(patterns), app_name, namespace)
