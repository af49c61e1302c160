"""Open311 GeoReport v2 under /open311/v2/ (public, no session), and the management page of the
organisation's API keys and published services (administrators and managers).

Every API answer is XML or JSON as asked by the URL's extension, and every refusal is a GeoReport
error list with a 4xx status and a French description — never a 500, and nothing written.
"""

from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_scopes import scope

from patrimoine.core.errors import DomainError
from patrimoine.open311 import selectors, services
from patrimoine.open311.formats import CONTENT_TYPES, answer, errors
from patrimoine.open311.forms import ApiKeyForm, Open311RequestForm, ServiceForm
from patrimoine.open311.inputs import (
    BadInput,
    body_fields,
    comma_list,
    joined,
    nul_message,
    one,
    parse_w3c,
    query_fields,
)
from patrimoine.open311.models import Service
from patrimoine.organisations.models import Organisation

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-28T00:00:00+01:00"
MAX_SPAN = timedelta(days=90)
MAX_RESULTS = 1000


def _rate(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


class Refused(Exception):
    def __init__(self, status: int, *messages: str, headers: dict | None = None):
        super().__init__(messages)
        self.status = status
        self.messages = messages
        self.headers = headers


def api(methods=("GET",)):
    """An Open311 endpoint: public (no session, no CSRF: POST is authenticated by its api_key),
    never cached, and every refusal answered in the GeoReport error format."""

    def decorator(view):
        @login_not_required
        @csrf_exempt
        @never_cache
        @wraps(view)
        def wrapper(request, *args, fmt: str, **kwargs):
            if request.method not in methods:
                response = errors(fmt, 405, _("Méthode %(method)s non acceptée ici.") % {"method": request.method[:10]})
                response["Allow"] = ", ".join(methods)
                return response
            try:
                if any("\x00" in str(value) for value in kwargs.values()):
                    raise BadInput(400, nul_message())
                fields = query_fields(request)
                response = view(request, *args, fmt=fmt, fields=fields, **kwargs)
            except BadInput as exc:
                response = errors(fmt, exc.status, exc.message)
            except Refused as exc:
                response = errors(fmt, exc.status, *exc.messages, headers=exc.headers)
            except Http404:
                response = errors(fmt, 404, _("Ressource introuvable."))
            except DomainError as exc:
                response = errors(fmt, 400, exc.message)
            # Web apps of other origins may call the API: it reads no cookie and shows only public data.
            response["Access-Control-Allow-Origin"] = "*"
            return response

        return wrapper

    return decorator


def _jurisdiction(fields: dict) -> Organisation:
    """The organisation asked by `jurisdiction_id` (its slug), required when several publish services."""
    wanted = one(fields, "jurisdiction_id")
    served = selectors.jurisdictions()
    if wanted:
        for organisation in served:
            if organisation.slug == wanted:
                return organisation
        raise Refused(404, _("jurisdiction_id « %(id)s » inconnu sur ce serveur.") % {"id": wanted[:60]})
    if len(served) == 1:
        return served[0]
    if not served:
        raise Refused(404, _("Aucune collectivité ne publie de services Open311 sur ce serveur."))
    raise Refused(
        400,
        _("jurisdiction_id manquant : ce serveur dessert plusieurs collectivités (%(ids)s).")
        % {"ids": ", ".join(o.slug for o in served)},
    )


def _service_record(service: Service) -> dict:
    return {
        "service_code": service.code,
        "service_name": service.name,
        "description": service.description or None,
        "metadata": True,  # every service has the urgency attribute
        "type": service.type,
        "keywords": service.keywords or None,
        "group": service.group or None,
    }


# --- Endpoints -----------------------------------------------------------------------------------


@api()
def discovery(request, *, fmt, fields):
    base = request.build_absolute_uri(reverse("open311:discovery-json").rsplit("/", 1)[0])
    contact = getattr(settings, "OPEN311_CONTACT", "") or _(
        "Écrivez au service technique de votre collectivité (adresse sur son site)."
    )
    data = {
        "changeset": CHANGESET,
        "contact": contact,
        "key_service": _(
            "Les clés d'API sont délivrées par chaque collectivité : son administrateur les crée "
            "dans Patrimoine, page « Open311 »."
        ),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": base,
                "changeset": CHANGESET,
                "type": "production",
                "formats": [CONTENT_TYPES["xml"].split(";")[0], CONTENT_TYPES["json"].split(";")[0]],
            }
        ],
    }
    return answer(fmt, "discovery", data)


@api()
def service_list(request, *, fmt, fields):
    organisation = _jurisdiction(fields)
    with scope(organisation=[organisation.pk]):
        data = [_service_record(service) for service in selectors.services_of(organisation)]
    return answer(fmt, "services", data)


@api()
def service_definition(request, service_code, *, fmt, fields):
    organisation = _jurisdiction(fields)
    with scope(organisation=[organisation.pk]):
        service = selectors.services_of(organisation).filter(code=service_code[:40]).first()
        if service is None:
            raise Refused(404, _("service_code « %(code)s » inconnu.") % {"code": service_code[:40]})
        data = {"service_code": service.code, "attributes": selectors.attributes_of(service)}
    return answer(fmt, "service_definition", data)


@api(methods=("GET", "POST"))
def requests(request, *, fmt, fields):
    if request.method == "POST":
        return _request_create(request, fmt=fmt, query=fields)
    organisation = _jurisdiction(fields)
    ids = comma_list(joined(fields, "service_request_id"), limit=200, name="service_request_id")
    codes = comma_list(joined(fields, "service_code"), limit=50, name="service_code")
    statuses = sorted(set(comma_list(joined(fields, "status"), limit=4, name="status")))
    unknown = [status for status in statuses if status not in ("open", "closed")]
    if unknown:
        raise Refused(400, _("status : « %(value)s » invalide (open ou closed).") % {"value": unknown[0][:20]})
    start = parse_w3c(one(fields, "start_date"), "start_date") if one(fields, "start_date") else None
    end = parse_w3c(one(fields, "end_date"), "end_date") if one(fields, "end_date") else None
    if start and end and start > end:
        raise Refused(400, _("start_date est postérieure à end_date."))
    if start and end and end - start > MAX_SPAN:
        raise Refused(400, _("La période demandée dépasse 90 jours."))
    if start is None and end is None:
        end = timezone.now()
    if start is None:
        start = end - MAX_SPAN
    if end is None:
        end = start + MAX_SPAN
    with scope(organisation=[organisation.pk]):
        found = selectors.service_requests_search(
            organisation, ids=ids, service_codes=codes, start=start, end=end, statuses=statuses, limit=MAX_RESULTS
        )
        data = [selectors.public_record(service_request) for service_request in found]
    return answer(fmt, "service_requests", data)


@api()
def request_detail(request, service_request_id, *, fmt, fields):
    organisation = _jurisdiction(fields)
    with scope(organisation=[organisation.pk]):
        try:
            service_request = selectors.service_request_by_id(organisation, service_request_id)
        except Http404:
            raise Refused(404, _("service_request_id « %(id)s » inconnu.") % {"id": service_request_id[:30]}) from None
        data = [selectors.public_record(service_request)]
    return answer(fmt, "service_requests", data)


@api()
def token_detail(request, token, *, fmt, fields):
    organisation = _jurisdiction(fields)
    with scope(organisation=[organisation.pk]):
        try:
            service_request = selectors.service_request_by_token(organisation, token)
        except Http404:
            raise Refused(404, _("Jeton « %(token)s » inconnu.") % {"token": token[:40]}) from None
        data = [{"service_request_id": service_request.work_request.reference, "token": service_request.token}]
    return answer(fmt, "service_requests", data)


def _throttle(bucket: str, limit: int) -> None:
    """At most `limit` POSTs a minute per bucket (client address or key), counted in Django's cache."""
    window = int(timezone.now().timestamp() // 60)
    key = f"open311:rate:{bucket}:{window}"
    cache.add(key, 0, timeout=70)
    try:
        count = cache.incr(key)
    except ValueError:  # the entry expired between add and incr
        cache.set(key, 1, timeout=70)
        count = 1
    if count > limit:
        raise Refused(
            429,
            _("Trop de demandes envoyées : réessayez dans une minute."),
            headers={"Retry-After": str(60 - int(timezone.now().timestamp()) % 60)},
        )


def _request_create(request, *, fmt: str, query: dict):
    fields = {**query, **body_fields(request)}
    _throttle(f"ip:{request.META.get('REMOTE_ADDR', '')}", _rate("OPEN311_POSTS_PER_MINUTE_PER_ADDRESS", 30))
    organisation = _jurisdiction(fields)
    raw_key = one(fields, "api_key")
    if not raw_key:
        raise Refused(403, _("api_key manquant : une clé d'API est nécessaire pour créer une demande."))
    api_key = services.api_key_check(raw_key, organisation)
    if api_key is None:
        raise Refused(403, _("api_key invalide ou révoquée pour cette collectivité."))
    _throttle(f"key:{api_key.pk}", _rate("OPEN311_POSTS_PER_MINUTE_PER_KEY", 20))
    service_code = one(fields, "service_code")
    if not service_code:
        raise Refused(400, _("service_code manquant."))
    form = Open311RequestForm(
        {
            **{name: one(fields, name) for name in Open311RequestForm.base_fields},
            "urgence": one(fields, "attribute[urgence]"),
            "batiment": one(fields, "attribute[batiment]"),
        }
    )
    with scope(organisation=[organisation.pk]):
        service = selectors.services_of(organisation).filter(code=service_code[:40]).first()
        if service is None:
            raise Refused(404, _("service_code « %(code)s » inconnu.") % {"code": service_code[:40]})
        if not form.is_valid():
            raise Refused(400, *form.error_messages_list())
        try:
            service_request = services.open311_request_create(
                organisation=organisation, service=service, api_key=api_key, submission=form.submission()
            )
        except DomainError as exc:
            raise Refused(400, exc.message) from None
    record = {"service_notice": service.notice or None, "account_id": None}
    if service.type == Service.Type.BATCH:
        record = {"token": service_request.token, **record}
    else:
        record = {"service_request_id": service_request.work_request.reference, **record}
    return answer(fmt, "service_requests", [record])


@login_not_required
@never_cache
def not_found(request, *args, **kwargs):
    fmt = "json" if request.path.endswith(".json") else "xml"
    return errors(fmt, 404, _("Ressource Open311 introuvable. Les adresses finissent par .xml ou .json."))


# --- Management page -----------------------------------------------------------------------------


def _require_manage(access) -> None:
    if not access.has("open311.manage"):
        raise PermissionDenied


@require_GET
def manage(request):
    access = request.access
    _require_manage(access)
    return _manage_page(request, ApiKeyForm())


def _manage_page(request, form, new_key: str = "", status: int = 200):
    access = request.access
    counts = selectors.requests_count_by_key(access.organisation)
    keys = list(selectors.api_keys_for(access))
    for api_key in keys:
        api_key.requests_count = counts.get(api_key.pk, 0)
    context = {
        "keys": keys,
        "services": list(selectors.services_for_management(access)),
        "form": form,
        "new_key": new_key,
        "jurisdiction_id": access.organisation.slug,
        "endpoint": request.build_absolute_uri(reverse("open311:discovery-json").rsplit("/", 1)[0]),
        "unfiled_requests": counts.get(None, 0),
    }
    return render(request, "open311/manage.html", context, status=status)


@require_POST
def key_create(request):
    access = request.access
    _require_manage(access)
    form = ApiKeyForm(request.POST)
    if not form.is_valid():
        return _manage_page(request, form, status=400)
    try:
        api_key, raw_key = services.api_key_create(access=access, name=form.cleaned_data["name"])
    except DomainError as exc:
        form.add_error("name", exc.message)
        return _manage_page(request, form, status=400)
    messages.success(request, _("Clé créée pour « %(name)s ».") % {"name": api_key.name})
    return _manage_page(request, ApiKeyForm(), new_key=raw_key)


@require_POST
def key_revoke(request, pk):
    access = request.access
    _require_manage(access)
    api_key = selectors.get_api_key_for(access, pk)
    try:
        services.api_key_revoke(access=access, api_key=api_key)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Clé « %(name)s » révoquée.") % {"name": api_key.name})
    return redirect("open311:manage")


@require_POST
def services_defaults(request):
    access = request.access
    _require_manage(access)
    created = services.services_publish_defaults(access=access)
    messages.success(request, _("%(n)d services publiés.") % {"n": created})
    return redirect("open311:manage")


@require_POST
def service_toggle(request, pk):
    access = request.access
    _require_manage(access)
    service = selectors.get_service_for(access, pk)
    services.service_toggle(access=access, service=service)
    return redirect("open311:manage")


@require_http_methods(["GET", "POST"])
def service_form(request, pk=None):
    """Create a service (pk None) or change one: its code, name, group, trade, type, notice."""
    access = request.access
    _require_manage(access)
    service = selectors.get_service_for(access, pk) if pk is not None else None
    form = ServiceForm(request.POST or None, instance=service)
    if request.method == "POST" and form.is_valid():
        try:
            services.service_save(access=access, service=service, data=form.cleaned_data)
        except DomainError as exc:
            form.add_error("code", exc.message)
        else:
            messages.success(request, _("Service « %(name)s » enregistré.") % {"name": form.cleaned_data["name"]})
            return redirect("open311:manage")
    status = 400 if request.method == "POST" else 200
    return render(request, "open311/service_form.html", {"form": form, "service": service}, status=status)
