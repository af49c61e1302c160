"""Budget pages: the budget of a year (lines by section with committed, realised, remaining and
alerts), one line (its orders and purchase orders), the line form, and the imputation of one work
order to a line."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from patrimoine.budgets import selectors, services
from patrimoine.budgets.forms import BudgetLineForm, ImputationForm
from patrimoine.core.errors import DomainError, PermissionRefused
from patrimoine.organisations.models import Organisation
from patrimoine.purchasing.selectors import purchase_orders_visible_to
from patrimoine.workorders.models import WorkOrder
from patrimoine.workorders.selectors import get_work_order_for, work_orders_visible_to

PAGE_SIZE = 25


def _require_view(access) -> None:
    if not access.has("budgets.view"):
        raise PermissionDenied


def _year(request) -> int:
    try:
        year = int(request.GET.get("annee", ""))
    except ValueError:
        return timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


def _organisation(request) -> Organisation:
    """The organisation whose budget is shown: the active one, or a member commune for the EPCI's
    consolidated view (`collectivite=<id>`, only among the organisations the user may read)."""
    access = request.access
    wanted = request.GET.get("collectivite", "")
    if wanted.isdigit() and int(wanted) in access.read_org_ids:
        return Organisation.objects.get(pk=int(wanted))
    return access.organisation


def _line_form(access, organisation, data=None, line=None):
    initial = None
    if line is not None:
        initial = {
            name: getattr(line, name)
            for name in ("year", "section", "code", "label", "trade", "building", "is_default")
        }
        initial["amount"] = str(line.amount).replace(".", ",")
        initial["alert_threshold"] = str(line.alert_threshold.normalize()).replace(".", ",")
    buildings = selectors.buildings_for_lines(organisation.pk)
    return BudgetLineForm(data, initial=initial, buildings=buildings)


def _overview(request, *, form=None, status=200):
    access = request.access
    organisation = _organisation(request)
    year = _year(request)
    report = selectors.budget_report(organisation.pk, year)
    can_manage = access.has("budgets.manage") and organisation.pk in access.write_org_ids
    others = Organisation.objects.filter(pk__in=access.read_org_ids).order_by("name")
    context = {
        "organisation": organisation,
        "organisations": others if len(access.read_org_ids) > 1 else [],
        "year": year,
        "years": selectors.budget_years(access),
        "report": report,
        "can_manage": can_manage,
        "form": form or (_line_form(access, organisation) if can_manage else None),
    }
    return render(request, "budgets/overview.html", context, status=status)


@require_GET
def overview(request):
    _require_view(request.access)
    return _overview(request)


@require_POST
def line_create(request):
    access = request.access
    if not access.has("budgets.manage"):
        raise PermissionDenied
    form = _line_form(access, access.organisation, request.POST)
    if form.is_valid():
        try:
            line = services.budget_line_save(access=access, **form.cleaned_data)
        except PermissionRefused:
            raise PermissionDenied from None
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Ligne %(code)s créée.") % {"code": line.code})
            return redirect(f"{_overview_url()}?annee={line.year}")
    return _overview(request, form=form, status=400)


def _overview_url() -> str:
    return reverse("budgets:overview")


@require_GET
def line_detail(request, pk):
    access = request.access
    line = selectors.get_budget_line_for(access, pk)
    status = selectors.line_status(line)
    orders = (
        work_orders_visible_to(access)
        .filter(pk__in=status.orders)
        .select_related("building", "trade")
        .order_by("-validated_at")
    )
    page = Paginator(orders, PAGE_SIZE).get_page(request.GET.get("page"))
    purchase_orders = (
        purchase_orders_visible_to(access)
        .filter(budget_line=line)
        .select_related("contractor", "work_order")
        .order_by("-created_at")
    )
    context = {
        "line": line,
        "status": status,
        "page": page,
        "purchase_orders": list(purchase_orders[:50]),
        "can_manage": access.has("budgets.manage") and line.organisation_id in access.write_org_ids,
    }
    return render(request, "budgets/line_detail.html", context)


@require_http_methods(["GET", "POST"])
def line_edit(request, pk):
    access = request.access
    line = selectors.get_budget_line_for(access, pk)
    if not (access.has("budgets.manage") and line.organisation_id in access.write_org_ids):
        raise PermissionDenied
    form = _line_form(access, line.organisation, request.POST or None, line=line)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.budget_line_save(access=access, line=line, **form.cleaned_data)
            except PermissionRefused:
                raise PermissionDenied from None
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Ligne enregistrée."))
                return redirect("budgets:line-detail", pk=line.pk)
        status = 400
    return render(request, "budgets/line_form.html", {"form": form, "line": line}, status=status)


@require_http_methods(["GET", "POST"])
def imputation(request, pk):
    """Which budget line one work order is charged to: the automatic rule, or a chosen line."""
    access = request.access
    _require_view(access)
    work_order = get_work_order_for(access, pk)
    if not (access.has("budgets.manage") and work_order.organisation_id in access.write_org_ids):
        raise PermissionDenied
    year = timezone.localtime(work_order.validated_at).year if work_order.validated_at else timezone.localdate().year
    lines = selectors.budget_lines_of(work_order.organisation_id, year)
    current = selectors.imputation_of(work_order)
    form = ImputationForm(
        request.POST or None, lines=lines, initial={"budget_line": current.budget_line_id if current else None}
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.work_order_imputation_set(
                    access=access, work_order=work_order, budget_line=form.cleaned_data["budget_line"]
                )
            except PermissionRefused:
                raise PermissionDenied from None
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Imputation enregistrée."))
                return redirect(f"{_overview_url()}?annee={year}")
        status = 400
    automatic = selectors.line_for_order(list(lines), work_order.building_id, work_order.trade_id)
    context = {
        "work_order": work_order,
        "form": form,
        "year": year,
        "automatic": automatic,
        "current": current,
        "validated": work_order.status == WorkOrder.Status.VALIDATED,
    }
    return render(request, "budgets/imputation.html", context, status=status)


@require_GET
def unimputed(request):
    """The validated work orders of the year that no line takes (to impute them)."""
    access = request.access
    _require_view(access)
    organisation = _organisation(request)
    year = _year(request)
    report = selectors.budget_report(organisation.pk, year)
    orders = (
        work_orders_visible_to(access)
        .filter(pk__in=report.unimputed_orders)
        .select_related("building", "trade")
        .order_by("-validated_at")
    )
    page = Paginator(orders, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "organisation": organisation,
        "year": year,
        "report": report,
        "page": page,
        "can_manage": access.has("budgets.manage") and organisation.pk in access.write_org_ids,
    }
    return render(request, "budgets/unimputed.html", context)
