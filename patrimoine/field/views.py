"""The field app's URLs: the installable shell (page, manifest, service worker), its JSON API (my
orders, the catalogue, the sync of queued operations, photo and report uploads) and the team lead's
list of offline entries to settle. Views stay thin: the rules live in services and selectors.

The API answers 401 in JSON (never a redirect to the login page) so the phone knows to ask for a
new sign-in and keeps its queue.
"""

import hashlib
import json
import uuid
from functools import lru_cache

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.translation import gettext as _
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET, require_http_methods, require_POST, require_safe

from patrimoine.core.errors import DomainError, PermissionRefused
from patrimoine.core.files import stored_file_response
from patrimoine.core.services import audit_read
from patrimoine.costs.services import may_manage
from patrimoine.field import selectors, services
from patrimoine.field.filters import ConflictFilter
from patrimoine.field.forms import ConflictResolveForm, PhotoForm, ProblemReportForm, errors_text
from patrimoine.field.models import OfflineConflict
from patrimoine.field.strings import strings
from patrimoine.intake.models import Urgency
from patrimoine.workorders.models import WorkOrder
from patrimoine.workorders.selectors import get_work_order_for, work_order_report

SHELL_ASSETS = [
    "css/patrimoine.css",
    "field/field.css",
    "field/db.js",
    "field/photo.js",
    "field/signature.js",
    "field/sync.js",
    "field/app.js",
    "field/icons/icon-192.png",
    "field/icons/icon-512.png",
]
PAGE_SIZE = 25
DATA_CACHE = "terrain-data"  # the phone's copy of my orders and the catalogue (emptied at sign-out)


# --- The installable shell -----------------------------------------------------------------------


def _config() -> dict:
    return {
        "urls": {
            "scope": reverse("field:app"),
            "sw": reverse("field:sw"),
            "bootstrap": reverse("field:bootstrap"),
            "catalogue": reverse("field:catalogue"),
            "sync": reverse("field:sync"),
            "photo": reverse("field:photo"),
            "problem": reverse("field:problem"),
            "logout": reverse("accounts:logout"),
            "login": f"{reverse('accounts:login')}?next={reverse('field:app')}",
        },
        "data_cache": DATA_CACHE,
        "suspension_reasons": [[value, str(label)] for value, label in WorkOrder.SuspensionReason.choices],
        "urgencies": [[value, str(label)] for value, label in reversed(Urgency.choices)],
    }


@require_GET
@ensure_csrf_cookie
def app(request):
    """The app shell: the same page for every user (their data comes from the API), cached by the
    service worker so it opens without network."""
    if not request.access.has("field.use"):
        raise PermissionDenied
    response = render(request, "field/app.html", {"strings": strings(), "config": _config()})
    response["Cache-Control"] = "no-cache"
    return response


@login_not_required
@require_GET
def manifest(request):
    icons = [
        {"src": static("field/icons/icon-192.png"), "sizes": "192x192", "type": "image/png", "purpose": "any"},
        {"src": static("field/icons/icon-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "any"},
        {"src": static("field/icons/maskable-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "maskable"},
    ]
    data = {
        "name": _("Patrimoine — terrain"),
        "short_name": _("Terrain"),
        "description": _("Les interventions du technicien, même sans réseau."),
        "lang": "fr",
        "dir": "ltr",
        "id": reverse("field:app"),
        "start_url": reverse("field:app"),
        "scope": reverse("field:app"),
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#f6f7f9",
        "theme_color": "#1d4e89",
        "icons": icons,
    }
    return JsonResponse(data, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False})


def _precache() -> list[str]:
    return [reverse("field:app"), reverse("field:manifest"), *(static(path) for path in SHELL_ASSETS)]


def _read_static(path: str) -> bytes:
    found = finders.find(path)
    if found is None:
        raise FileNotFoundError(path)
    with open(found, "rb") as handle:
        return handle.read()


def _version() -> str:
    """Changes whenever an asset of the shell changes, so phones fetch the new shell."""
    digest = hashlib.sha256()
    for path in [*SHELL_ASSETS, "field/sw.js"]:
        digest.update(_read_static(path))
    digest.update(json.dumps(_precache()).encode())
    return digest.hexdigest()[:16]


_cached_version = lru_cache(maxsize=1)(_version)


@login_not_required
@require_GET
def service_worker(request):
    """The service worker, served under /terrain/ so its scope covers the app."""
    config = {
        "version": _version() if settings.DEBUG else _cached_version(),
        "shell": reverse("field:app"),
        "precache": _precache(),
        "data": [reverse("field:bootstrap"), reverse("field:catalogue")],
        "documents": reverse("documents:download", args=[uuid.UUID(int=0)]).rsplit("/", 2)[0] + "/",
        "logout": reverse("accounts:logout"),
        "data_cache": DATA_CACHE,
    }
    body = f"self.TERRAIN = {json.dumps(config)};\n".encode() + _read_static("field/sw.js")
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = reverse("field:app")
    return response


# --- JSON API ------------------------------------------------------------------------------------


def _json_error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"message": message}, status=status, json_dumps_params={"ensure_ascii": False})


def _api_denied(request) -> JsonResponse | None:
    if not request.user.is_authenticated:
        return _json_error(_("Votre session a expiré : reconnectez-vous pour envoyer vos saisies."), 401)
    if not request.access.has("field.use"):
        return _json_error(_("Votre rôle ne permet pas d'utiliser l'application terrain."), 403)
    return None


def _json(data, status: int = 200) -> JsonResponse:
    response = JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "private, no-cache"
    return response


def _conditional(request, response):
    """An ETag of the content: a phone whose copy is current gets « 304 Not Modified » (a few bytes)."""
    etag = f'"{hashlib.sha256(response.content).hexdigest()[:32]}"'
    response["ETag"] = etag
    return get_conditional_response(request, etag=etag, response=response)


@login_not_required
@require_GET
@gzip_page
def bootstrap(request):
    """My orders with everything the phone shows offline. Also remembers which orders went to this
    phone (an order reassigned since then turns my later entries into kept conflicts, not refusals)."""
    denied = _api_denied(request)
    if denied:
        return denied
    orders = list(selectors.field_orders(request.access))
    services.field_deliveries_record(access=request.access, work_orders=orders)
    return _conditional(request, _json(selectors.field_bootstrap(request.access, orders)))


@login_not_required
@require_GET
@gzip_page
def catalogue(request):
    denied = _api_denied(request)
    if denied:
        return denied
    orders = selectors.field_orders(request.access)
    return _conditional(request, _json({"items": selectors.field_catalogue(request.access, orders)}))


@login_not_required
@require_POST
def sync(request):
    """A batch of queued operations: `{"operations": [{"id": uuid, "type": …, "order": uuid, …}]}`.
    Each gets its own answer (applied, conflict, refused, invalid); a replay gets the same answer."""
    denied = _api_denied(request)
    if denied:
        return denied
    try:
        body = json.loads(request.body or b"null")
    except ValueError:
        return _json_error(_("Envoi illisible : des données JSON sont attendues."), 400)
    operations = body.get("operations") if isinstance(body, dict) else None
    try:
        results = services.operations_apply(access=request.access, operations=operations)
    except PermissionRefused as error:
        return _json_error(error.message, 403)
    except DomainError as error:
        return _json_error(error.message, 400)
    return _json({"results": results, "server_time": timezone.now().isoformat()})


ANSWER_STATUS = {"applique": 200, "conflit": 200, services.REFUSED: 404, services.INVALID: 400}


def _upload_answer(answer: dict) -> JsonResponse:
    return _json(answer, status=ANSWER_STATUS.get(answer["status"], 400))


def _invalid(form) -> JsonResponse:
    op_id = form.cleaned_data.get("id") if hasattr(form, "cleaned_data") else None
    return _upload_answer(
        {"id": str(op_id) if op_id else None, "status": services.INVALID, "message": errors_text(form), "result": {}}
    )


@login_not_required
@require_POST
def photo(request):
    """One photo (resized on the phone), sent again whole after a cut: stored once per operation UUID."""
    denied = _api_denied(request)
    if denied:
        return denied
    form = PhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        return _invalid(form)
    data = form.cleaned_data
    answer = services.photo_apply(
        access=request.access, op_id=data["id"], order_pk=data["order"], uploaded=data["file"], title=data["title"]
    )
    return _upload_answer(answer)


@login_not_required
@require_POST
def problem_report(request):
    """« Signaler autre chose »: a new work request from the field, with its photos."""
    denied = _api_denied(request)
    if denied:
        return denied
    form = ProblemReportForm(request.POST)
    if not form.is_valid():
        return _invalid(form)
    data = form.cleaned_data
    suffix = ""
    if data.get("latitude") is not None and data.get("longitude") is not None:
        suffix = _("position GPS %(lat)s, %(lon)s") % {"lat": data["latitude"], "lon": data["longitude"]}
        if data.get("accuracy") is not None:
            suffix += _(" (± %(m)s m)") % {"m": data["accuracy"]}
    answer = services.problem_report(
        access=request.access,
        op_id=data["id"],
        data=data,
        photos=request.FILES.getlist("photos"),
        location_suffix=suffix,
    )
    return _upload_answer(answer)


# --- Offline entries to settle (team lead) -------------------------------------------------------


def _require_conflicts(access) -> None:
    if not (access.has("field.use") or access.has("workorders.plan") or access.has("workorders.validate")):
        raise PermissionDenied


@require_GET
def conflict_list(request):
    access = request.access
    _require_conflicts(access)
    conflicts = selectors.conflicts_visible_to(access)
    filterset = ConflictFilter(request.GET, queryset=conflicts)
    page = Paginator(filterset.qs.order_by("-created_at"), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filter": filterset,
        "page": page,
        "can_settle": access.has("workorders.plan") or access.has("workorders.validate"),
    }
    return render(request, "field/conflicts.html", context)


@require_http_methods(["GET", "POST"])
def conflict_detail(request, pk):
    access = request.access
    _require_conflicts(access)
    conflict = selectors.get_conflict_for(access, pk)
    can_settle = conflict.status == OfflineConflict.Status.OPEN and may_manage(access, conflict.work_order)
    form = ConflictResolveForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not can_settle:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.offline_conflict_resolve(
                    access=access,
                    conflict=conflict,
                    decision=form.cleaned_data["decision"],
                    note=form.cleaned_data["note"],
                )
            except DomainError as error:
                form.add_error(None, error.message)
                status = 403 if isinstance(error, PermissionRefused) else 400
            else:
                messages.success(request, _("Saisie régularisée : %(summary)s.") % {"summary": conflict.summary})
                return redirect("field:conflicts")
        else:
            status = 400
    context = {
        "conflict": conflict,
        "form": form,
        "can_settle": can_settle,
        "can_reintegrate": conflict.kind in services.REINTEGRABLE
        and conflict.work_order.status not in (WorkOrder.Status.VALIDATED, WorkOrder.Status.CANCELLED),
    }
    return render(request, "field/conflict_detail.html", context, status=status)


@require_safe
def conflict_attachment(request, pk):
    _require_conflicts(request.access)
    conflict = selectors.get_conflict_for(request.access, pk)
    if not conflict.attachment:
        raise Http404
    audit_read(access=request.access, action="field.conflict_attachment", target=conflict)
    response = stored_file_response(conflict.attachment)
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_safe
def order_signature(request, pk):
    """The on-site signature of an order's report, to whoever may read the order."""
    work_order = get_work_order_for(request.access, pk)
    report = work_order_report(work_order)
    if report is None or not report.signature:
        raise Http404
    audit_read(access=request.access, action="field.signature_download", target=work_order)
    response = stored_file_response(report.signature, content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600"
    return response
