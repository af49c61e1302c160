"""Maintenance plans: list, create, detail (its due dates, its meter), change, archive, readings."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from patrimoine.core.errors import DomainError

from .. import selectors, services
from ..filters import PlanFilter
from ..forms import PlanForm, ReadingForm
from ..models import MaintenancePlan
from ..recurrence import PARIS, occurrences_between, rule_describe
from .common import PAGE_SIZE, can_manage, is_htmx, require_view, status_of

PREVIEW_DAYS = 3 * 366


@require_GET
def plan_list(request):
    access = request.access
    require_view(access)
    plans = selectors.plans_visible_to(access).select_related(*selectors.PLAN_RELATED)
    filterset = PlanFilter(request.GET or None, queryset=plans)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    ids = [plan.pk for plan in page.object_list]
    statuses = {s.plan.pk: s for s in selectors.plan_statuses(plans.filter(pk__in=ids), today)}
    rows = [(plan, statuses.get(plan.pk)) for plan in page.object_list]
    context = {
        "filter": filterset,
        "page": page,
        "rows": rows,
        "today": today,
        "show_organisation": len(access.read_org_ids) > 1,
        "can_manage": can_manage(access),
    }
    template = "maintenance/partials/plan_results.html" if is_htmx(request) else "maintenance/plan_list.html"
    return render(request, template, context)


def _form_context(form, plan=None, building=None) -> dict:
    return {"form": form, "plan": plan, "building": building}


@require_http_methods(["GET", "POST"])
def plan_create(request):
    access = request.access
    if not can_manage(access):
        raise PermissionDenied
    organisation = access.organisation
    if request.method == "POST":
        form = PlanForm(request.POST, organisation=organisation)
        if form.is_valid():
            try:
                plan = services.plan_create(access=access, organisation=organisation, **form.service_fields())
            except DomainError as error:
                form.add_error(None, error.message)
                return render(request, "maintenance/plan_form.html", _form_context(form), status=status_of(error))
            messages.success(request, _("Plan « %(name)s » créé.") % {"name": plan.name})
            return redirect("maintenance:plan-detail", pk=plan.pk)
        return render(request, "maintenance/plan_form.html", _form_context(form), status=400)
    initial = {}
    for name in ("building", "equipment", "statutory_check"):
        if request.GET.get(name):
            initial[name] = request.GET[name]
    return render(
        request, "maintenance/plan_form.html", _form_context(PlanForm(initial=initial, organisation=organisation))
    )


@require_GET
def plan_detail(request, pk):
    return _plan_page(request, selectors.get_plan_for(request.access, pk))


def _plan_page(request, plan, *, reading_form=None, status: int = 200):
    access = request.access
    today = timezone.localdate()
    (plan_status,) = selectors.plan_statuses(MaintenancePlan.objects.filter(pk=plan.pk), today)
    occurrences = Paginator(selectors.plan_occurrences(plan), PAGE_SIZE).get_page(request.GET.get("page"))
    preview = []
    if plan.trigger == MaintenancePlan.Trigger.CALENDAR:
        upcoming = occurrences_between(plan.rrule, plan.dtstart, today, today + timedelta(days=PREVIEW_DAYS))
        preview = [moment.astimezone(PARIS) for moment, _i in zip(upcoming, range(6), strict=False)]
    context = {
        "plan": plan,
        "status": plan_status,
        "occurrences": occurrences,
        "preview": preview,
        "rule_text": rule_describe(plan.rrule) if plan.rrule else "",
        "readings": selectors.plan_readings(plan) if plan.trigger == MaintenancePlan.Trigger.METER else [],
        "reading_form": reading_form or (ReadingForm() if _may_read(access, plan) else None),
        "can_manage": can_manage(access, plan) and plan.is_active,
        "today": today,
    }
    return render(request, "maintenance/plan_detail.html", context, status=status)


def _may_read(access, plan) -> bool:
    return (
        plan.trigger == MaintenancePlan.Trigger.METER
        and plan.is_active
        and access.has("maintenance.meter")
        and plan.organisation_id in access.write_org_ids
    )


@require_http_methods(["GET", "POST"])
def plan_edit(request, pk):
    access = request.access
    plan = selectors.get_plan_for(access, pk)
    if not can_manage(access, plan):
        raise PermissionDenied
    if request.method == "POST":
        form = PlanForm(request.POST, organisation=plan.organisation)
        if form.is_valid():
            try:
                services.plan_update(
                    access=access,
                    plan=plan,
                    expected_version=_version(request),
                    **form.service_fields(),
                )
            except DomainError as error:
                form.add_error(None, error.message)
                return render(request, "maintenance/plan_form.html", _form_context(form, plan), status=status_of(error))
            messages.success(request, _("Plan modifié ; les échéances à venir non commencées suivent."))
            return redirect("maintenance:plan-detail", pk=plan.pk)
        return render(request, "maintenance/plan_form.html", _form_context(form, plan), status=400)
    form = PlanForm(initial=PlanForm.initial_for(plan), organisation=plan.organisation)
    return render(request, "maintenance/plan_form.html", _form_context(form, plan))


def _version(request) -> int:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return -1


@require_http_methods(["GET", "POST"])
def plan_archive(request, pk):
    access = request.access
    plan = selectors.get_plan_for(access, pk)
    if not can_manage(access, plan):
        raise PermissionDenied
    if request.method == "POST":
        try:
            services.plan_archive(access=access, plan=plan, expected_version=_version(request))
        except DomainError as error:
            messages.error(request, error.message)
            return render(request, "maintenance/plan_archive.html", {"plan": plan}, status=status_of(error))
        messages.success(request, _("Plan « %(name)s » archivé.") % {"name": plan.name})
        return redirect("maintenance:plan-list")
    return render(request, "maintenance/plan_archive.html", {"plan": plan})


@require_POST
def plan_reading(request, pk):
    access = request.access
    plan = selectors.get_plan_for(access, pk)
    if not (access.has("maintenance.meter") and plan.organisation_id in access.write_org_ids):
        raise PermissionDenied
    form = ReadingForm(request.POST)
    if not form.is_valid():
        return _plan_page(request, plan, reading_form=form, status=400)
    try:
        _reading, occurrence = services.meter_reading_record(
            access=access, plan=plan, value=form.cleaned_data["value"], note=form.cleaned_data["note"]
        )
    except DomainError as error:
        form.add_error("value", error.message)
        return _plan_page(request, plan, reading_form=form, status=status_of(error))
    if occurrence is not None and occurrence.work_order_id:
        messages.success(
            request,
            _("Relevé enregistré : seuil atteint, le bon %(reference)s est créé.")
            % {"reference": occurrence.work_order.reference},
        )
    else:
        messages.success(request, _("Relevé enregistré."))
    return redirect("maintenance:plan-detail", pk=plan.pk)
