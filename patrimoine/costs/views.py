"""Cost views: the overview (/couts/), the cost section of a work order and its add/remove
endpoints (/couts/bons/<uuid>/…), and the labour rates page.

The section endpoints answer htmx with the section fragment (status 400 and the French errors in
place when refused) and plain posts with a redirect to the order page, so the forms work without
JavaScript.
"""

import csv
import datetime as dt
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from patrimoine.core.errors import DomainError, PermissionRefused
from patrimoine.core.services import audit_read
from patrimoine.core.templatetags.formatting import format_euros, format_hours
from patrimoine.costs import services
from patrimoine.costs.filters import CostFilter
from patrimoine.costs.forms import FORM_CLASSES, PREFIXES, LabourRateForm, cost_forms
from patrimoine.costs.models import ExternalCost, MaterialLine, TimeEntry
from patrimoine.costs.selectors import (
    cost_rollup,
    labour_rates_of,
    order_lines,
    validated_orders,
    work_order_costs_context,
)
from patrimoine.reporting.scope import Scope
from patrimoine.reporting.selectors import costs as report_costs
from patrimoine.workorders.selectors import get_work_order_for

LINE_MODELS = {"temps": TimeEntry, "materiel": MaterialLine, "presta": ExternalCost}


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def detail_url(work_order) -> str | None:
    """The work order's own page (workorders app), if it exists."""
    try:
        return reverse("workorders:detail", args=[work_order.pk])
    except NoReverseMatch:
        return None


def order_url(work_order) -> str:
    """Where a plain (non-htmx) post returns: the order page's cost section, else this app's page."""
    detail = detail_url(work_order)
    return detail + "#couts" if detail else reverse("costs:work-order", args=[work_order.pk])


# --- The cost section of one work order --------------------------------------------------------


def _section(
    request,
    work_order,
    *,
    bound: dict | None = None,
    status: int = 200,
    notice: str = "",
    error: bool = False,
    keep_open: str = "",
):
    costs = work_order_costs_context(request.access, work_order)
    costs["forms"] = cost_forms(request.access, costs, bound=bound)
    costs["notice"] = notice
    costs["notice_is_error"] = error
    costs["open"] = keep_open  # the add form just used stays open for the next line
    context = {"work_order": work_order, "costs": costs, "order_url": detail_url(work_order)}
    template = "costs/partials/work_order_costs.html" if _is_htmx(request) else "costs/work_order_costs_page.html"
    return TemplateResponse(request, template, context, status=status)


@require_GET
def work_order_costs(request, pk):
    """The cost section alone (htmx refresh) or as a page of its own."""
    work_order = get_work_order_for(request.access, pk)
    return _section(request, work_order)


def _add(request, pk, kind: str):
    work_order = get_work_order_for(request.access, pk)
    costs = work_order_costs_context(request.access, work_order)
    allowed = costs["can_add_external"] if kind == "external" else costs["can_report"]
    if not allowed:
        if not costs["is_open"]:
            return _refused(request, work_order, _("Ce bon de travail est clos : ses coûts ne peuvent plus changer."))
        raise PermissionDenied
    form_class = FORM_CLASSES[kind]
    extra = {
        "time": {"technicians": costs["technicians"], "user": request.user},
        "material": {"items": costs["items"], "stores": costs["stores"]},
        "external": {"contractors": costs["contractors"]},
    }[kind]
    form = form_class(request.POST, prefix=PREFIXES[kind], **extra)
    if form.is_valid():
        try:
            notice = _record(request.access, work_order, kind, form.cleaned_data)
        except PermissionRefused:
            raise PermissionDenied from None
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            if _is_htmx(request):
                return _section(request, _reload(request, work_order), notice=notice, keep_open=kind)
            messages.success(request, notice)
            return redirect(order_url(work_order))
    return _section(request, work_order, bound={kind: form}, status=400)


def _record(access, work_order, kind: str, data: dict) -> str:
    """Call the service for `kind`; return the confirmation sentence."""
    if kind == "time":
        entry = services.time_entry_add(
            access=access,
            work_order=work_order,
            technician=data["technician"],
            date=data["date"],
            hours=data["hours"],
            client_uuid=data.get("client_uuid"),
        )
        return _("Temps enregistré : %(hours)s de %(name)s, %(amount)s.") % {
            "hours": format_hours(entry.hours),
            "name": entry.technician,
            "amount": format_euros(entry.amount),
        }
    if kind == "material":
        line = services.material_line_add(
            access=access,
            work_order=work_order,
            item=data.get("item"),
            label=data.get("label", ""),
            quantity=data["quantity"],
            unit_cost=data.get("unit_cost"),
            unit=data.get("unit", ""),
            client_uuid=data.get("client_uuid"),
            store=data.get("store"),
        )
        if data.get("store") is not None:
            return _("Matériel sorti du magasin « %(store)s » : %(label)s, %(amount)s.") % {
                "store": data["store"],
                "label": line.label,
                "amount": format_euros(line.amount),
            }
        return _("Matériel ajouté : %(label)s, %(amount)s.") % {
            "label": line.label,
            "amount": format_euros(line.amount),
        }
    line = services.external_cost_add(
        access=access,
        work_order=work_order,
        description=data["description"],
        amount=data["amount"],
        contractor=data.get("contractor"),
        invoice_reference=data.get("invoice_reference", ""),
        client_uuid=data.get("client_uuid"),
    )
    return _("Prestation ajoutée : %(label)s, %(amount)s.") % {
        "label": line.description,
        "amount": format_euros(line.amount),
    }


def _refused(request, work_order, message: str, status: int = 400):
    if _is_htmx(request):
        return _section(request, work_order, status=status, notice=message, error=True)
    messages.error(request, message)
    return redirect(order_url(work_order))


@require_POST
def time_add(request, pk):
    return _add(request, pk, "time")


@require_POST
def material_add(request, pk):
    return _add(request, pk, "material")


@require_POST
def external_add(request, pk):
    return _add(request, pk, "external")


@require_POST
def line_remove(request, pk, kind, line_pk):
    work_order = get_work_order_for(request.access, pk)
    model = LINE_MODELS.get(kind)
    line = model.objects.filter(work_order=work_order, pk=line_pk).first() if model else None
    if line is None:
        raise Http404
    try:
        services.cost_line_remove(access=request.access, line=line)
    except PermissionRefused:
        raise PermissionDenied from None
    except DomainError as error:
        return _refused(request, work_order, error.message)
    notice = _("Ligne retirée (%(amount)s).") % {"amount": format_euros(line.amount)}
    if _is_htmx(request):
        return _section(request, _reload(request, work_order), notice=notice)
    messages.success(request, notice)
    return redirect(order_url(work_order))


def _reload(request, work_order):
    return get_work_order_for(request.access, work_order.pk)


# --- Overview ---------------------------------------------------------------------------------------

TOP_BUILDINGS = 15

CSV_GROUPINGS = {
    "commune": ("by_organisation", _("Collectivité")),
    "site": ("by_site", _("Site")),
    "batiment": ("by_building", _("Bâtiment")),
    "equipement": ("by_equipment", _("Équipement")),
    "metier": ("by_trade", _("Corps de métier")),
    "mois": ("by_month", _("Mois")),
}


@require_GET
def overview(request):
    """Cost of the validated orders of a period, per commune, building, trade and month."""
    if not request.access.has("costs.view"):
        raise PermissionDenied
    filterset = CostFilter(request.GET, queryset=validated_orders(request.access), access=request.access)
    orders = filterset.qs
    period = filterset.period
    if request.GET.get("format") == "csv":
        audit_read(access=request.access, action="costs.export", data=dict(request.GET))
        return _csv(orders, request.GET.get("par", "bon"), period)
    filterset.is_valid()  # the valid fields filter, as they do the orders (`filterset.qs`)
    chosen = filterset.form.cleaned_data
    scope = Scope(
        access=request.access,
        period=period,
        organisation_id=chosen["organisation"].pk if chosen.get("organisation") else None,
        trade_id=chosen["trade"].pk if chosen.get("trade") else None,
    )
    rollup = report_costs(scope)  # the dashboards' figures: from their rollups when they can answer
    buildings = rollup.by_building[:TOP_BUILDINGS]
    rest = rollup.by_building[TOP_BUILDINGS:]
    others = None
    if rest:
        others = {key: sum((row[key] for row in rest), Decimal("0.00")) for key in ("labour", "material", "external")}
        others["total"] = sum((row["total"] for row in rest), Decimal("0.00"))
        others["orders"] = sum(row["orders"] for row in rest)
        others["count"] = len(rest)
    query = request.GET.copy()
    query.pop("format", None)
    query.pop("par", None)
    peak = max((row["total"] for row in rollup.by_month), default=Decimal("0"))
    for row in rollup.by_month:
        row["share"] = int(row["total"] * 100 / peak) if peak else 0
    context = {
        "filter": filterset,
        "period": period,
        "rollup": rollup,
        "buildings": buildings,
        "other_buildings": others,
        "query": query.urlencode(),
        "several_organisations": filterset.several_organisations,
    }
    return render(request, "costs/overview.html", context)


def _decimal_fr(value) -> str:
    return "" if value is None else f"{value:.2f}".replace(".", ",")


def _csv(orders, grouping: str, period) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = grouping if grouping in CSV_GROUPINGS else "bon"
    response["Content-Disposition"] = (
        f'attachment; filename="couts-{period.start:%Y%m%d}-{period.end:%Y%m%d}-{name}.csv"'
    )
    response.write("\ufeff")  # BOM: Excel reads UTF-8 correctly
    writer = csv.writer(response, delimiter=";", lineterminator="\r\n")
    money_heads = [_("Main-d'œuvre (€)"), _("Matériel (€)"), _("Prestations externes (€)"), _("Total (€)")]
    if name == "bon":
        writer.writerow(
            [
                _("Bon"),
                _("Intitulé"),
                _("Validé le"),
                _("Collectivité"),
                _("Site"),
                _("Bâtiment"),
                _("Équipement"),
                _("Corps de métier"),
                *money_heads,
            ]
        )
        totals = [Decimal("0.00")] * 4
        for wo in order_lines(orders).iterator(chunk_size=500):
            amounts = [wo.labour_cost, wo.material_cost, wo.external_cost, wo.total_cost]
            totals = [a + b for a, b in zip(totals, amounts, strict=True)]
            writer.writerow(
                [
                    wo.reference,
                    wo.title,
                    f"{timezone.localtime(wo.validated_at):%d/%m/%Y}" if wo.validated_at else "",
                    wo.organisation.name,
                    wo.building.site.name if wo.building else "",
                    wo.building.name if wo.building else "",
                    wo.equipment.name if wo.equipment else "",
                    wo.trade.name,
                    *[_decimal_fr(a) for a in amounts],
                ]
            )
        writer.writerow([_("Total"), "", "", "", "", "", "", "", *[_decimal_fr(t) for t in totals]])
        return response
    attribute, head = CSV_GROUPINGS[name]
    rollup = cost_rollup(orders, groupings=(_GROUPING_KEYS[attribute],))
    extra_heads = [_("Surface (m²)"), _("Coût au m² (€)")] if name == "batiment" else []
    writer.writerow([head, _("Bons validés"), *money_heads, *extra_heads])
    for row in getattr(rollup, attribute):
        label = _row_label(name, row)
        extra = [_decimal_fr(row["surface"]), _decimal_fr(row["per_m2"])] if name == "batiment" else []
        amounts = [_decimal_fr(row[k]) for k in ("labour", "material", "external", "total")]
        writer.writerow([label, row["orders"], *amounts, *extra])
    total = rollup.total
    amounts = [_decimal_fr(total[k]) for k in ("labour", "material", "external", "total")]
    writer.writerow([_("Total"), total["orders"], *amounts, *([""] * len(extra_heads))])
    return response


_GROUPING_KEYS = {
    "by_organisation": "organisation",
    "by_site": "site",
    "by_building": "building",
    "by_equipment": "equipment",
    "by_trade": "trade",
    "by_month": "month",
}


def _row_label(name: str, row: dict) -> str:
    if name == "mois":
        month = row["month"]
        return f"{timezone.localtime(month) if isinstance(month, dt.datetime) else month:%m/%Y}"
    if row.get("name"):
        if name == "batiment":
            return f"{row['name']} ({row['site_name']}, {row['organisation_name']})"
        if name == "site":
            return f"{row['name']} ({row['organisation_name']})"
        if name == "equipement" and row.get("building_name"):
            return f"{row['name']} ({row['building_name']})"
        return row["name"]
    return {
        "batiment": _("Sans bâtiment"),
        "site": _("Sans site"),
        "equipement": _("Sans équipement"),
    }.get(name, _("Non renseigné"))


# --- Labour rates ----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def rates(request):
    """The loaded hourly rates of the organisation: everyone with costs.view reads, the admin sets."""
    access = request.access
    if not (access.has("costs.view") or access.has("organisations.manage")):
        raise PermissionDenied
    can_edit = access.has("organisations.manage")
    form = LabourRateForm(request.POST or None) if can_edit else None
    status = 200
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            try:
                rate = services.labour_rate_save(
                    access=access,
                    year=form.cleaned_data["year"],
                    grade=form.cleaned_data["grade"],
                    trade=form.cleaned_data["trade"],
                    hourly_rate=form.cleaned_data["hourly_rate"],
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request,
                    _("Taux enregistré : %(grade)s, %(trade)s, %(year)s — %(rate)s de l'heure.")
                    % {
                        "grade": rate.get_grade_display(),
                        "trade": rate.trade or _("tous métiers"),
                        "year": rate.year,
                        "rate": format_euros(rate.hourly_rate),
                    },
                )
                return redirect("costs:rates")
        status = 400
    context = {"rates": labour_rates_of(access), "form": form, "can_edit": can_edit}
    return render(request, "costs/rates.html", context, status=status)
