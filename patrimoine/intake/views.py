"""Pages of work requests: « Signaler un problème », the list (triage queue or « Mes demandes »),
the detail and the three triage decisions. Thin: parse the form, call the service, show its message."""

import uuid
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods

from patrimoine.assets.models import Equipment
from patrimoine.core.errors import DomainError, PermissionRefused
from patrimoine.core.pagination import KeysetPaginator, count_label
from patrimoine.documents.selectors import documents_of
from patrimoine.intake import selectors, services
from patrimoine.intake.filters import ALL, SORTS, WorkRequestFilter
from patrimoine.intake.forms import AcceptForm, MergeForm, RejectForm, WorkRequestForm
from patrimoine.intake.models import WorkRequest
from patrimoine.intake.services import requester_email

Status = WorkRequest.Status
PAGE_SIZE = 25
TAB_LABELS = {
    Status.NEW.value: _lazy("À trier"),
    Status.ACCEPTED.value: _lazy("Acceptées"),
    Status.REJECTED.value: _lazy("Rejetées"),
    Status.MERGED.value: _lazy("Fusionnées"),
    ALL: _lazy("Toutes"),
}


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _site_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def _next_url(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def _error_status(error: DomainError) -> int:
    return 403 if isinstance(error, PermissionRefused) else 400


@dataclass
class Row:
    """One request as a list row shows it."""

    request: WorkRequest
    progress: selectors.Progress
    can_triage: bool
    error: str = ""


def _row(access, work_request: WorkRequest, error: str = "") -> Row:
    return Row(
        work_request,
        selectors.request_progress(work_request),
        selectors.can_triage(access, work_request),
        error,
    )


# --- Filing -------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def request_create(request: HttpRequest) -> HttpResponse:
    """« Signaler un problème »: `?building=<uuid>` (or `?equipment=<uuid>`) pre-selects the place."""
    access = request.access
    if not access.has("intake.create"):
        raise PermissionDenied
    if request.method == "POST":
        form = WorkRequestForm(request.POST, request.FILES, access=access)
        if "refresh" in request.POST:
            # Without JavaScript: show the chosen building's equipment and rooms, keep what was typed.
            initial = {name: request.POST.get(name, "") for name in ("location_text", "description", "urgency")}
            form = WorkRequestForm(access=access, initial=initial, building_id=request.POST.get("building"))
            return render(request, "intake/request_form.html", {"form": form})
        if form.is_valid():
            data = form.cleaned_data
            try:
                work_request = services.work_request_create(
                    access=access,
                    building=data["building"],
                    equipment=data["equipment"],
                    space=data["space"],
                    location_text=data["location_text"],
                    description=data["description"],
                    urgency=data["urgency"],
                    photos=data["photos"],
                    site_url=_site_url(request),
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                email = requester_email(work_request)
                text = _("Votre demande %(reference)s est enregistrée.") % {"reference": work_request.reference}
                if email:
                    text += " " + _("Un accusé de réception a été envoyé à %(email)s.") % {"email": email}
                messages.success(request, text)
                return redirect("intake:detail", pk=work_request.pk)
        return render(request, "intake/request_form.html", {"form": form}, status=400)

    building_id = request.GET.get("building") or None
    equipment_id = request.GET.get("equipment") or None
    if equipment_id and not building_id:
        equipment = Equipment.objects.filter(pk__in=_uuid_list(equipment_id)).only("building_id").first()
        building_id = equipment.building_id if equipment is not None else None
    form = WorkRequestForm(access=access, building_id=building_id, equipment_id=equipment_id)
    if _is_htmx(request) and request.headers.get("HX-Target") == "location-details":
        return render(request, "intake/partials/location_fields.html", {"form": form})
    return render(request, "intake/request_form.html", {"form": form})


def _uuid_list(value: str) -> list[str]:
    """`value` if it is a UUID, else nothing (a malformed parameter simply pre-selects nothing)."""
    try:
        return [str(uuid.UUID(value))]
    except ValueError:
        return []


# --- Reading ------------------------------------------------------------------------------------


def request_list(request: HttpRequest) -> HttpResponse:
    """Triage roles: the queue (« À trier », urgent first) and every request; others: « Mes demandes »."""
    access = request.access
    sees_all = access.has("intake.view_all")
    if not (sees_all or access.has("intake.create")):
        raise PermissionDenied
    triager = access.has("intake.triage")
    filterset = WorkRequestFilter(
        request.GET,
        access=access,
        queryset=selectors.work_requests_for_list(access),
        default_status=Status.NEW if triager else ALL,
        default_sort="urgence" if triager else "-creation",
    )
    counts = selectors.status_counts(filterset.queryset_without_status())
    sort = filterset.sort
    page = KeysetPaginator(filterset.qs, SORTS[sort][1], PAGE_SIZE, name=sort).page(request.GET.get("page"))
    rows = [_row(access, work_request) for work_request in page]
    current_status = filterset.status
    params = request.GET.copy()
    params.pop("page", None)
    tabs = []
    labels = TAB_LABELS if sees_all else {**TAB_LABELS, Status.NEW.value: _("En attente")}
    for value, label in labels.items():
        params["statut"] = value
        tabs.append(
            {
                "value": value,
                "label": label,
                "count": count_label(counts["all"] if value == ALL else counts[value]),
                "url": "?" + params.urlencode(),
                "current": value == current_status,
            }
        )
    context = {
        "filterset": filterset,
        "page": page,
        "rows": rows,
        "tabs": tabs,
        "counts": counts,
        "sees_all": sees_all,
        "triager": triager,
        "triage": selectors.triage_counts(access) if triager else None,
        "show_commune": len(access.read_org_ids) > 1,
        # A requester with a handful of requests needs no search form.
        "show_filters": sees_all or counts["all"] > 10 or bool(request.GET.get("q")),
        "next": request.get_full_path(),
    }
    return render(request, "intake/request_list.html", context)


def request_detail(request: HttpRequest, pk) -> HttpResponse:
    access = request.access
    work_request = selectors.get_work_request_for(access, pk)
    context = {
        "wr": work_request,
        "progress": selectors.request_progress(work_request),
        "photos": list(documents_of(work_request)),
        "can_triage": selectors.can_triage(access, work_request),
        "duplicates": list(
            selectors.work_requests_visible_to(access).filter(duplicate_of=work_request).order_by("created_at")
        ),
        "requester_email": requester_email(work_request),
        "sees_all": access.has("intake.view_all"),
        "show_contact": access.has("intake.view_all"),
        "show_work_order": access.has("workorders.view"),
    }
    return render(request, "intake/request_detail.html", context)


# --- Triage -------------------------------------------------------------------------------------


def _triage_target(request: HttpRequest, pk) -> WorkRequest:
    access = request.access
    if not access.has("intake.triage"):
        raise PermissionDenied
    return selectors.get_work_request_for(access, pk)


def _already_triaged(request: HttpRequest, work_request: WorkRequest) -> HttpResponse | None:
    """A GET on a triage form of a request that cannot be triaged here: back to its page, saying why."""
    if selectors.can_triage(request.access, work_request):
        return None
    if work_request.status != Status.NEW:
        messages.info(
            request,
            _("La demande %(reference)s a déjà été triée (%(status)s).")
            % {"reference": work_request.reference, "status": work_request.get_status_display()},
        )
    else:
        messages.error(request, _("Votre rôle ne permet pas de trier cette demande."))
    return redirect("intake:detail", pk=work_request.pk)


@require_http_methods(["GET", "POST"])
def request_accept(request: HttpRequest, pk) -> HttpResponse:
    """« Accepter » in one click (POST without fields: suggested trade and priority) or « Corriger »
    (GET: the form with trade, priority, team, technicians and slot). htmx gets the list row back."""
    access = request.access
    work_request = _triage_target(request, pk)
    teams = selectors.teams_for_request(work_request)
    if request.method == "GET":
        if (response := _already_triaged(request, work_request)) is not None:
            return response
        form = AcceptForm(work_request=work_request, teams=teams)
        return render(request, "intake/triage_accept.html", _triage_context(request, work_request, form))
    form = AcceptForm(request.POST, work_request=work_request, teams=teams)
    error, status = "", 200
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.work_request_accept(
                access=access,
                work_request=work_request,
                trade=data["trade"],
                priority=data["priority"] or None,
                team=data["team"],
                technicians=data["technicians"],
                planned_start=data["planned_start"],
                planned_end=data["planned_end"],
                site_url=_site_url(request),
            )
        except DomainError as exc:
            error, status = exc.message, _error_status(exc)
    else:
        error, status = _("Vérifiez les champs signalés."), 400
    if _is_htmx(request):
        work_request = selectors.get_work_request_for(access, pk)
        return _render_row(request, work_request, error, status)
    if not error:
        messages.success(
            request,
            _("Demande %(reference)s acceptée : bon de travail %(order)s créé.")
            % {"reference": work_request.reference, "order": work_request.work_order.reference},
        )
        return redirect(_next_url(request, reverse("intake:list")))
    if form.is_valid():
        form.add_error(None, error)
    return render(request, "intake/triage_accept.html", _triage_context(request, work_request, form), status=status)


@require_http_methods(["GET", "POST"])
def request_reject(request: HttpRequest, pk) -> HttpResponse:
    access = request.access
    work_request = _triage_target(request, pk)
    if request.method == "GET":
        if (response := _already_triaged(request, work_request)) is not None:
            return response
        form = RejectForm()
        return render(request, "intake/triage_reject.html", _triage_context(request, work_request, form))
    form = RejectForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            services.work_request_reject(
                access=access,
                work_request=work_request,
                reason=form.cleaned_data["reason"],
                site_url=_site_url(request),
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
            status = _error_status(exc)
        else:
            messages.success(request, _("Demande %(reference)s rejetée.") % {"reference": work_request.reference})
            return redirect(_next_url(request, reverse("intake:list")))
    return render(request, "intake/triage_reject.html", _triage_context(request, work_request, form), status=status)


@require_http_methods(["GET", "POST"])
def request_merge(request: HttpRequest, pk) -> HttpResponse:
    access = request.access
    work_request = _triage_target(request, pk)
    candidates = selectors.merge_candidates(access, work_request)
    if request.method == "GET":
        if (response := _already_triaged(request, work_request)) is not None:
            return response
        form = MergeForm(candidates=candidates)
        return render(request, "intake/triage_merge.html", _triage_context(request, work_request, form))
    form = MergeForm(request.POST, candidates=candidates)
    status = 400
    if form.is_valid():
        try:
            services.work_request_merge(
                access=access, work_request=work_request, into=form.cleaned_data["into"], site_url=_site_url(request)
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
            status = _error_status(exc)
        else:
            messages.success(
                request,
                _("Demande %(reference)s fusionnée avec %(master)s.")
                % {"reference": work_request.reference, "master": work_request.duplicate_of.reference},
            )
            return redirect(_next_url(request, reverse("intake:list")))
    return render(request, "intake/triage_merge.html", _triage_context(request, work_request, form), status=status)


def _triage_context(request: HttpRequest, work_request: WorkRequest, form) -> dict:
    return {
        "wr": work_request,
        "requester_email": requester_email(work_request),
        "form": form,
        "progress": selectors.request_progress(work_request),
        "next": _next_url(request, reverse("intake:list")),
    }


def _render_row(request: HttpRequest, work_request: WorkRequest, error: str, status: int) -> HttpResponse:
    """The list row after a one-click decision, and the triage counters out of band (htmx)."""
    context = {
        "oob_triage": None if error else selectors.triage_counts(request.access),
        "row": _row(request.access, work_request, error),
        "triager": request.access.has("intake.triage"),
        "sees_all": request.access.has("intake.view_all"),
        "show_commune": len(request.access.read_org_ids) > 1,
        "next": _next_url(request, reverse("intake:list")),
    }
    return render(request, "intake/partials/request_row.html", context, status=status)
