"""Pages of one work order and the list: views stay thin (parse a form, call a service or a selector,
show the French message of a refusal with the right status: 400, 403 or 409)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from patrimoine.assets.selectors import equipment_work_orders
from patrimoine.core.errors import DomainError
from patrimoine.core.pagination import KeysetPaginator
from patrimoine.costs.selectors import work_order_costs_context
from patrimoine.documents.selectors import documents_of
from patrimoine.workorders import selectors, services
from patrimoine.workorders.filters import SORTS, WorkOrderFilter
from patrimoine.workorders.forms import (
    ChecklistToggleForm,
    PhotoForm,
    PlanForm,
    ReportForm,
    TransitionForm,
    WorkOrderForm,
)
from patrimoine.workorders.models import WorkOrder
from patrimoine.workorders.views.common import PAGE_SIZE, form_error, is_htmx, require_view, status_of

Status = WorkOrder.Status
PRIMARY_FILTERS = ("q", "statut", "tri")  # shown at once; the other filters fold under « Plus de filtres »


# --- List ----------------------------------------------------------------------------------------


@require_GET
def work_order_list(request):
    access = request.access
    require_view(access)
    orders = selectors.work_orders_for_list_page(access)
    filterset = WorkOrderFilter(request.GET, access=access, queryset=orders)
    sort = filterset.sort
    paginator = KeysetPaginator(filterset.qs, SORTS[sort][1], PAGE_SIZE, name=sort)
    page = paginator.page(request.GET.get("page"))
    context = {
        "filter": filterset,
        "primary_filters": PRIMARY_FILTERS,
        "advanced_active": any(request.GET.get(name) for name in filterset.form.fields if name not in PRIMARY_FILTERS),
        "page": page,
        "sort": sort,
        "show_organisation": len(access.read_org_ids) > 1,
        "can_create": access.has("workorders.plan"),
        "can_validate": access.has("workorders.validate"),
        "today": timezone.localdate(),
    }
    template = "workorders/partials/list_results.html" if is_htmx(request) else "workorders/list.html"
    return render(request, template, context)


# --- One order -----------------------------------------------------------------------------------

TRANSITION_LABELS = {
    (Status.PLANNED, Status.IN_PROGRESS): gettext_lazy("Commencer l'intervention"),
    (Status.SUSPENDED, Status.IN_PROGRESS): gettext_lazy("Reprendre l'intervention"),
    (Status.DONE, Status.IN_PROGRESS): gettext_lazy("Refuser la validation"),
    (Status.IN_PROGRESS, Status.SUSPENDED): gettext_lazy("Suspendre"),
    (Status.IN_PROGRESS, Status.DONE): gettext_lazy("Marquer comme terminé"),
    (Status.DONE, Status.VALIDATED): gettext_lazy("Valider"),
    (Status.PLANNED, Status.TO_PLAN): gettext_lazy("Remettre à planifier"),
}


ACTION_ORDER = [
    Status.IN_PROGRESS,
    Status.DONE,
    Status.VALIDATED,
    Status.PLANNED,
    Status.SUSPENDED,
    Status.TO_PLAN,
    Status.CANCELLED,
]


def _transition_actions(access, work_order: WorkOrder) -> list[dict]:
    """The buttons of the status section: one small form per move the user may make now."""
    actions = []
    allowed = services.allowed_transitions(access, work_order)
    for to in sorted(allowed, key=ACTION_ORDER.index):
        if work_order.status == Status.TO_PLAN and to == Status.PLANNED:
            continue  # planning needs a team and a slot: the « Planifier » page does it
        asks, reason_label = "", ""
        label = TRANSITION_LABELS.get((work_order.status, to)) or _("Annuler le bon")
        if to == Status.CANCELLED:
            asks, reason_label = "reason", _("Motif de l'annulation")
        elif work_order.status == Status.DONE and to == Status.IN_PROGRESS:
            asks, reason_label = "reason", _("Ce qui manque pour valider (le technicien le verra)")
        elif to == Status.SUSPENDED:
            asks = "suspension"
        actions.append(
            {
                "to": to,
                "label": str(label),
                "asks": asks,
                "reason_label": reason_label,
                "danger": to == Status.CANCELLED,
            }
        )
    return actions


def _detail_context(request, work_order: WorkOrder, **forms) -> dict:
    access = request.access
    may_plan = services.work_order_may(access, "workorders.plan", work_order)
    may_report = services.work_order_may(access, "workorders.report", work_order)
    closed = work_order.status in services.CLOSED_STATUSES
    report = selectors.work_order_report(work_order)
    context = {
        "work_order": work_order,
        "requests": selectors.work_order_requests(work_order),
        "technicians": list(work_order.technicians.order_by("last_name", "first_name")),
        "checklist": selectors.work_order_checklist(work_order),
        "history": selectors.work_order_history(work_order),
        "equipment_history": (
            list(equipment_work_orders(access, work_order.equipment).exclude(pk=work_order.pk)[:5])
            if work_order.equipment_id
            else []
        ),
        "documents": documents_of(work_order).select_related("uploaded_by"),
        "report": report,
        "costs": work_order_costs_context(access, work_order),
        "actions": _transition_actions(access, work_order),
        "suspension_reasons": WorkOrder.SuspensionReason.choices,
        "may_plan": may_plan and not closed,
        "may_open_plan": may_plan and work_order.status in (Status.TO_PLAN, Status.PLANNED, Status.SUSPENDED),
        "Status": Status,
        "htmx": is_htmx(request),
        "may_edit": may_plan and not closed,
        "may_report": may_report and not closed,
        "may_attach": (may_report or may_plan) and not closed,
        "may_see_requests": access.has("intake.view_all"),
        "closed": closed,
        "overdue": work_order.is_open
        and work_order.due_date is not None
        and work_order.due_date < timezone.localdate(),
    }
    context["report_form"] = forms.get("report_form") or ReportForm(
        initial={
            "version": work_order.version,
            "notes": report.notes if report else "",
            "signed_by_name": report.signed_by_name if report else "",
        }
    )
    context["photo_form"] = forms.get("photo_form") or PhotoForm(initial={"version": work_order.version})
    return context


def _render_detail(request, work_order: WorkOrder, *, status: int = 200, **forms):
    template = "workorders/partials/detail_content.html" if is_htmx(request) else "workorders/detail.html"
    return render(request, template, _detail_context(request, work_order, **forms), status=status)


def _refused(request, pk, error: DomainError, **forms):
    """Show a refusal on the order's page, as it is now in the database (nothing was changed)."""
    messages.error(request, error.message)
    return _render_detail(request, selectors.get_work_order_for(request.access, pk), status=status_of(error), **forms)


def _back_to(request, work_order: WorkOrder, anchor: str = ""):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(reverse("workorders:detail", args=[work_order.pk]) + anchor)


@require_GET
def work_order_detail(request, pk):
    work_order = selectors.get_work_order_for(request.access, pk)
    return _render_detail(request, work_order)


@require_POST
def work_order_transition(request, pk):
    access = request.access
    work_order = selectors.get_work_order_for(access, pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        return _refused(request, pk, form_error(form))
    data = form.cleaned_data
    try:
        services.work_order_transition(
            access=access,
            work_order=work_order,
            to_status=data["to"],
            expected_version=data["version"],
            reason=data["reason"],
            suspension_reason=data["suspension_reason"],
        )
    except DomainError as error:
        return _refused(request, pk, error)
    messages.success(
        request,
        _("%(ref)s : « %(status)s ».") % {"ref": work_order.reference, "status": work_order.get_status_display()},
    )
    return _back_to(request, work_order)


@require_POST
def checklist_toggle(request, pk, item_pk):
    access = request.access
    work_order = selectors.get_work_order_for(access, pk)
    item = selectors.get_checklist_item_for(access, work_order, item_pk)
    form = ChecklistToggleForm(request.POST)
    if not form.is_valid():
        return _refused(request, pk, form_error(form))
    try:
        services.checklist_item_toggle(
            access=access, item=item, done=form.cleaned_data["done"], expected_version=form.cleaned_data["version"]
        )
    except DomainError as error:
        return _refused(request, pk, error)
    if is_htmx(request):
        return _render_detail(request, work_order)
    return redirect(reverse("workorders:detail", args=[work_order.pk]) + "#controle")


@require_POST
def report_save(request, pk):
    access = request.access
    work_order = selectors.get_work_order_for(access, pk)
    form = ReportForm(request.POST)
    if not form.is_valid():
        return _refused(request, pk, form_error(form), report_form=form)
    try:
        services.intervention_report_save(
            access=access,
            work_order=work_order,
            notes=form.cleaned_data["notes"],
            signed_by_name=form.cleaned_data["signed_by_name"],
            expected_version=form.cleaned_data["version"],
        )
    except DomainError as error:
        # Keep what the user typed (with the current version) so nothing is lost; he decides again.
        current = selectors.get_work_order_for(access, pk)
        data = request.POST.copy()
        data["version"] = current.version
        return _refused(request, pk, error, report_form=ReportForm(data))
    messages.success(request, _("Compte rendu enregistré."))
    return redirect(reverse("workorders:detail", args=[work_order.pk]) + "#compte-rendu")


@require_POST
def photo_add(request, pk):
    access = request.access
    work_order = selectors.get_work_order_for(access, pk)
    form = PhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        return _refused(request, pk, form_error(form), photo_form=form)
    try:
        services.work_order_photo_attach(
            access=access,
            work_order=work_order,
            uploaded=form.cleaned_data["file"],
            title=form.cleaned_data["title"],
            expected_version=form.cleaned_data["version"],
        )
    except DomainError as error:
        return _refused(request, pk, error)
    messages.success(request, _("Fichier ajouté."))
    return redirect(reverse("workorders:detail", args=[work_order.pk]) + "#photos")


# --- Create, edit, plan --------------------------------------------------------------------------


def _place_refresh(request) -> bool:
    """The « show this building's equipment » button (or its htmx twin) re-renders without saving."""
    return "_actualiser" in request.POST


@require_http_methods(["GET", "POST"])
def work_order_create(request):
    access = request.access
    if not access.has("workorders.plan") or not access.write_org_ids:
        raise PermissionDenied
    form = WorkOrderForm(request.POST or None, access=access)
    status = 200
    if request.method == "POST" and not _place_refresh(request) and form.is_valid():
        data = form.cleaned_data
        try:
            work_order = services.work_order_create(
                access=access,
                organisation=data["organisation"],
                title=data["title"],
                description=data["description"],
                kind=data["kind"],
                trade=data["trade"],
                priority=data["priority"],
                building=data["building"],
                equipment=data["equipment"],
                location_text=data["location_text"],
                due_date=data["due_date"],
                checklist=data["checklist"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
            status = status_of(error)
        else:
            messages.success(request, _("Bon de travail %(ref)s créé.") % {"ref": work_order.reference})
            return redirect("workorders:detail", pk=work_order.pk)
    elif request.method == "POST" and not _place_refresh(request):
        status = 400
    template = "workorders/partials/order_form_fields.html" if is_htmx(request) else "workorders/order_form.html"
    context = {"form": form, "work_order": None, "refreshing": _place_refresh(request)}
    return render(request, template, context, status=status)


@require_http_methods(["GET", "POST"])
def work_order_edit(request, pk):
    access = request.access
    work_order = selectors.get_work_order_for(access, pk)
    if not services.work_order_may(access, "workorders.plan", work_order):
        raise PermissionDenied
    initial = {
        name: getattr(work_order, name)
        for name in ("title", "description", "kind", "trade", "priority", "due_date", "location_text")
    }
    initial.update(building=work_order.building, equipment=work_order.equipment, version=work_order.version)
    form = WorkOrderForm(request.POST or None, access=access, work_order=work_order, initial=initial)
    status = 200
    if request.method == "POST" and not _place_refresh(request):
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.work_order_update(
                    access=access,
                    work_order=work_order,
                    expected_version=data["version"],
                    title=data["title"],
                    description=data["description"],
                    kind=data["kind"],
                    trade=data["trade"],
                    priority=data["priority"],
                    due_date=data["due_date"],
                    building=data["building"],
                    equipment=data["equipment"],
                    space=work_order.space if data["building"] == work_order.building else None,
                    location_text=data["location_text"],
                )
            except DomainError as error:
                form.add_error(None, error.message)
                status = status_of(error)
            else:
                messages.success(request, _("Bon de travail %(ref)s modifié.") % {"ref": work_order.reference})
                return redirect("workorders:detail", pk=work_order.pk)
        else:
            status = 400
    template = "workorders/partials/order_form_fields.html" if is_htmx(request) else "workorders/order_form.html"
    context = {"form": form, "work_order": work_order, "refreshing": _place_refresh(request)}
    return render(request, template, context, status=status)


@require_http_methods(["GET", "POST"])
def work_order_plan(request, pk):
    access = request.access
    work_order = selectors.get_work_order_for(access, pk)
    if not services.work_order_may(access, "workorders.plan", work_order):
        raise PermissionDenied
    initial = {
        "version": work_order.version,
        "team": work_order.team_id,
        "technicians": list(work_order.technicians.values_list("pk", flat=True)),
        "contractor": work_order.contractor_id,
        "planned_start": work_order.planned_start and work_order.planned_start.astimezone(),
        "planned_end": work_order.planned_end and work_order.planned_end.astimezone(),
        "due_date": work_order.due_date,
    }
    form = PlanForm(request.POST or None, access=access, work_order=work_order, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.work_order_plan(
                    access=access,
                    work_order=work_order,
                    expected_version=data["version"],
                    team=data["team"],
                    technicians=data["technicians"],
                    contractor=data["contractor"],
                    planned_start=data["planned_start"],
                    planned_end=data["planned_end"],
                    due_date=data["due_date"],
                )
            except DomainError as error:
                form.add_error(None, error.message)
                status = status_of(error)
            else:
                messages.success(request, _("%(ref)s planifié.") % {"ref": work_order.reference})
                return redirect("workorders:detail", pk=work_order.pk)
        else:
            status = 400
    return render(request, "workorders/plan_form.html", {"form": form, "work_order": work_order}, status=status)
