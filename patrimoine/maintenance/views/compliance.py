"""Compliance pages: the organisation's view, a building's checks and findings, its printable safety
register, the statutory catalogue applied to it, and one inspection (report, findings)."""

from datetime import timedelta

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from patrimoine.assets.selectors import buildings_visible_to
from patrimoine.core.errors import DomainError
from patrimoine.core.services import audit_read
from patrimoine.reporting.pdf import pdf_response
from patrimoine.workorders.models import WorkOrder
from patrimoine.workorders.selectors import work_orders_visible_to

from .. import selectors, services
from ..filters import ComplianceFilter
from ..forms import CatalogueForm, FindingForm, ReportForm
from ..selectors import Compliance
from .common import PAGE_SIZE, can_manage, is_htmx, require_view, status_of

SORTS = {"situation": None, "nom": "name"}


@require_GET
def compliance(request):
    """Per building: checks late, due within 60 days, up to date, not planned; the late and coming ones."""
    access = request.access
    require_view(access)
    today = timezone.localdate()
    filterset = ComplianceFilter(
        request.GET, access=access, queryset=buildings_visible_to(access).exclude(status="archive")
    )
    summary = selectors.organisation_compliance(access, filterset.qs, today)
    rows = summary.rows
    if filterset.status:
        rows = [r for r in rows if r.counts.get(filterset.status)]
    sort = request.GET.get("tri", "situation")
    if sort == "nom":
        rows.sort(key=lambda r: r.building.search_text)
    else:
        rows.sort(
            key=lambda r: (Compliance.ORDER.get(r.worst, 9), -r.counts[Compliance.OVERDUE], r.building.search_text)
        )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filter": filterset,
        "summary": summary,
        "page": page,
        "sort": sort,
        "today": today,
        "labels": Compliance.LABELS,
        "show_organisation": len(access.read_org_ids) > 1,
        "can_manage": can_manage(access),
    }
    template = "maintenance/partials/compliance_results.html" if is_htmx(request) else "maintenance/compliance.html"
    return render(request, template, context)


@require_GET
def building_compliance(request, building_pk):
    access = request.access
    building = selectors.get_building_for_maintenance(access, building_pk)
    today = timezone.localdate()
    context = {
        "building": building,
        "compliance": selectors.building_compliance(access, building, today),
        "today": today,
        "can_manage": can_manage(access, building),
    }
    return render(request, "maintenance/building_compliance.html", context)


@require_GET
def building_register(request, building_pk):
    """The digital registre de sécurité, printable (PDF/UA): checks, their history, findings, works."""
    access = request.access
    building = selectors.get_building_for_maintenance(access, building_pk)
    today = timezone.localdate()
    context = register_context(access, building, today)
    filename = f"registre-securite-{building.code}-{today:%Y-%m-%d}"
    audit_read(access=access, action="maintenance.register_pdf", target=building, message=filename)
    return pdf_response("maintenance/register_pdf.html", context, filename=filename, request=request, inline=True)


def register_context(access, building, today) -> dict:
    compliance = selectors.building_compliance(access, building, today)
    plans = [r.plan_status.plan for r in compliance.requirements if r.plan_status]
    history = selectors.register_history(plans, since=today - timedelta(days=3 * 366))
    works = (
        work_orders_visible_to(access)
        .filter(
            building=building, status=WorkOrder.Status.VALIDATED, validated_at__date__gte=today - timedelta(days=366)
        )
        .select_related("trade", "team", "contractor")
        .order_by("-validated_at")[:60]
    )
    return {
        "building": building,
        "organisation": building.organisation,
        "compliance": compliance,
        "history": history,
        "works": works,
        "today": today,
        "printed_at": timezone.localtime(),
    }


@require_http_methods(["GET", "POST"])
def building_catalogue(request, building_pk):
    """The statutory checks the building needs, to tick and plan in one go."""
    access = request.access
    building = selectors.get_building_for_maintenance(access, building_pk)
    today = timezone.localdate()
    proposals = selectors.catalogue_proposals(access, building)
    default_due = today + timedelta(days=60)
    form = CatalogueForm(request.POST or None, proposals=proposals, default_due=default_due)
    status = 200
    if request.method == "POST":
        if not can_manage(access, building):
            status = 403
            form.add_error(None, _("Votre rôle ne permet pas de planifier les contrôles de ce bâtiment."))
        elif form.is_valid():
            choices = [services.CatalogueChoice(check, due) for check, due in form.chosen()]
            try:
                plans = services.catalogue_apply(access=access, building=building, choices=choices, today=today)
            except DomainError as error:
                form.add_error(None, error.message)
                status = status_of(error)
            else:
                messages.success(
                    request,
                    _("%(n)d contrôle(s) planifié(s) pour « %(building)s ».") % {"n": len(plans), "building": building},
                )
                return redirect("maintenance:building-compliance", building_pk=building.pk)
        else:
            status = 400
    context = {
        "building": building,
        "form": form,
        "can_manage": can_manage(access, building),
        "default_due": default_due,
    }
    return render(request, "maintenance/building_catalogue.html", context, status=status)


# --- One inspection --------------------------------------------------------------------------


def _occurrence_context(request, occurrence, *, report_form=None, finding_form=None) -> dict:
    access = request.access
    building = occurrence.plan.building
    manage = can_manage(access, occurrence)
    order = occurrence.work_order
    return {
        "occurrence": occurrence,
        "plan": occurrence.plan,
        "order": order,
        "findings": selectors.findings_of_occurrence(occurrence),
        "can_manage": manage,
        "inspected": order is not None and order.status in services.INSPECTED,
        "report_form": report_form or (ReportForm() if manage and order is not None else None),
        "finding_form": finding_form or (FindingForm(building=building) if manage else None),
        "today": timezone.localdate(),
    }


@require_GET
def occurrence_detail(request, pk):
    occurrence = selectors.get_occurrence_for(request.access, pk)
    return render(request, "maintenance/occurrence_detail.html", _occurrence_context(request, occurrence))


@require_POST
def occurrence_report(request, pk):
    access = request.access
    occurrence = selectors.get_occurrence_for(access, pk)
    form = ReportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.occurrence_report_attach(
                access=access,
                occurrence=occurrence,
                uploaded=form.cleaned_data["file"],
                title=form.cleaned_data["title"],
            )
        except DomainError as error:
            form.add_error("file", error.message)
            context = _occurrence_context(request, occurrence, report_form=form)
            return render(request, "maintenance/occurrence_detail.html", context, status=status_of(error))
        messages.success(request, _("Le rapport de vérification est joint."))
        return redirect("maintenance:occurrence-detail", pk=occurrence.pk)
    context = _occurrence_context(request, occurrence, report_form=form)
    return render(request, "maintenance/occurrence_detail.html", context, status=400)


@require_POST
def occurrence_finding(request, pk):
    access = request.access
    occurrence = selectors.get_occurrence_for(access, pk)
    form = FindingForm(request.POST, building=occurrence.plan.building)
    if form.is_valid():
        try:
            finding = services.finding_create(
                access=access,
                occurrence=occurrence,
                description=form.cleaned_data["description"],
                equipment=form.cleaned_data["equipment"],
                priority=form.cleaned_data["priority"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
            context = _occurrence_context(request, occurrence, finding_form=form)
            return render(request, "maintenance/occurrence_detail.html", context, status=status_of(error))
        messages.success(
            request,
            _("Réserve enregistrée : le bon correctif %(reference)s est à planifier.")
            % {"reference": finding.work_order.reference},
        )
        return redirect("maintenance:occurrence-detail", pk=occurrence.pk)
    context = _occurrence_context(request, occurrence, finding_form=form)
    return render(request, "maintenance/occurrence_detail.html", context, status=400)


@require_POST
def finding_reopen(request, pk):
    access = request.access
    finding = selectors.get_finding_for(access, pk)
    try:
        finding = services.finding_reopen(access=access, finding=finding)
    except DomainError as error:
        messages.error(request, error.message)
        occurrence = selectors.get_occurrence_for(access, finding.occurrence_id)
        context = _occurrence_context(request, occurrence)
        return render(request, "maintenance/occurrence_detail.html", context, status=status_of(error))
    messages.success(
        request, _("Nouveau bon correctif %(reference)s créé.") % {"reference": finding.work_order.reference}
    )
    return redirect("maintenance:occurrence-detail", pk=finding.occurrence_id)
