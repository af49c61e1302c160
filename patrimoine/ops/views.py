"""Monitoring endpoints (/readyz, /metrics), the instance page and the 500 page."""

import hmac
import ipaddress

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseForbidden, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.html import escape
from django.views.decorators.cache import never_cache
from django_guid.context import guid
from prometheus_client.django import PrometheusDjangoView

from patrimoine.accounts.lockout import client_ip
from patrimoine.ops import selectors
from patrimoine.ops.checks import readiness
from patrimoine.ops.metrics import exposition_registry


@login_not_required
@never_cache
def readyz(request):
    """200 when this app server can do its work (database, cache, job queue, disk), 503 otherwise.
    `/healthz` (core) is the liveness probe: the process answers and reaches its database."""
    checks = readiness()
    ok = all(check.ok for check in checks)
    body = {
        "status": "ok" if ok else "error",
        "checks": {check.name: {"ok": check.ok, "detail": check.detail} for check in checks},
    }
    return JsonResponse(body, status=200 if ok else 503, json_dumps_params={"ensure_ascii": False})


def metrics_allowed(request) -> bool:
    """The bearer token METRICS_TOKEN, or a client address in METRICS_ALLOWED_IPS. A request that
    came through a proxy we do not trust (TRUSTED_PROXY_COUNT=0) is judged by its token only: behind
    nginx every request comes from 127.0.0.1."""
    token = settings.METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if given and hmac.compare_digest(given.encode(), token.encode()):
            return True
    if "HTTP_X_FORWARDED_FOR" in request.META and not settings.TRUSTED_PROXY_COUNT:
        return False
    try:
        address = ipaddress.ip_address(client_ip(request) or "")
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(allowed, strict=False) for allowed in settings.METRICS_ALLOWED_IPS)


class _Exposition(PrometheusDjangoView):
    def get(self, request, *args, **kwargs):
        self.registry = exposition_registry()
        return super().get(request, *args, **kwargs)


@login_not_required
@never_cache
def metrics(request):
    """Prometheus's text format, for the allowed addresses or the bearer token only."""
    if not metrics_allowed(request):
        return HttpResponseForbidden("Accès refusé.\n", content_type="text/plain; charset=utf-8")
    return _Exposition.as_view()(request)


@never_cache
def instance(request):
    """« État de l'instance »: for the instance's administrators (superusers, two-factor checked by
    accounts.middleware like for the Django admin)."""
    if not request.user.is_superuser:
        raise PermissionDenied
    return render(request, "ops/instance.html", {"state": selectors.instance_state()})


FALLBACK_500 = (
    '<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Erreur — Patrimoine</title></head>'
    "<body><main><h1>Une erreur est survenue</h1><p>Référence de l'incident : <code>%s</code></p></main></body></html>"
)


def server_error(request, *args, **kwargs):
    """handler500: the 500 page with the request id, rendered without the request's context (no
    database, no session: they may be what failed); plain HTML if even the template fails."""
    request_id = guid.get() or ""
    try:
        html = loader.get_template("500.html").render({"request_id": request_id})
    except Exception:  # noqa: BLE001 — the error page must not fail in turn
        html = FALLBACK_500 % escape(request_id)
    return HttpResponseServerError(html)
