"""Dashboards (activity, costs) and the annual activity report of a commune.

Each section of a dashboard downloads as CSV or XLSX from the same URL: `?export=<section>&format=xlsx`
(with the page's filters), through `reporting.exports`. Their reads go to the read replica when there is one
(`core.replica.using_replica`).
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from patrimoine.core.replica import using_replica
from patrimoine.core.services import audit_read
from patrimoine.costs.selectors import Period, validated_orders
from patrimoine.reporting import selectors
from patrimoine.reporting.exports import DECIMAL, INTEGER, MONEY, Column, export_format, export_response
from patrimoine.reporting.filters import GRANULARITIES, ReportFilter
from patrimoine.reporting.forms import AnnualReportForm
from patrimoine.reporting.pdf import pdf_response
from patrimoine.reporting.report import annual_report

TOP = 10


def _require(access) -> None:
    if not access.has("reporting.view"):
        raise PermissionDenied


def _filter(request) -> ReportFilter:
    return ReportFilter(request.GET, queryset=validated_orders(request.access), access=request.access)


def _export(request, sections: dict, stem: str, period: Period):
    """The download of one section, if the request asks for it; else None."""
    fmt = export_format(request)
    name = request.GET.get("export", "")
    if not fmt or not name:
        return None
    if name not in sections:
        raise Http404
    title, columns, rows = sections[name]()
    filename = f"{stem}-{name}-{period.start:%Y%m%d}-{period.end:%Y%m%d}"
    audit_read(access=request.access, action="reporting.export", message=f"{filename}.{fmt}", data=dict(request.GET))
    return export_response(
        fmt,
        filename=filename,
        title=str(title),
        columns=columns,
        rows=rows,
    )


# --- Activity --------------------------------------------------------------------------------------


def _count_rows(rows, key="count"):
    return [[row["name"], row[key]] for row in rows]


@require_GET
@using_replica()
def dashboard(request):
    """Activity: the backlog and its age, the time to repair, punctuality, requests by channel and trade."""
    access = request.access
    _require(access)
    filterset = _filter(request)
    scope = filterset.scope(access)
    figures = selectors.activity(scope)
    backlog, trend, repair = figures["backlog"], figures["trend"], figures["repair"]
    punctuality, channels, trades = figures["punctuality"], figures["channels"], figures["trades"]
    sections = {
        "retard": lambda: (
            _("Âge des demandes et bons en attente"),
            [
                Column(_("Âge")),
                Column(_("Demandes à trier"), INTEGER),
                Column(_("Bons ouverts"), INTEGER),
                Column(_("Total"), INTEGER),
            ],
            [[b["label"], b["requests"], b["orders"], b["total"]] for b in backlog["buckets"]],
        ),
        "evolution": lambda: (
            _("Évolution du reste à faire"),
            [
                Column(_("Fin de mois")),
                Column(_("Demandes à trier"), INTEGER),
                Column(_("Bons ouverts"), INTEGER),
                Column(_("Total"), INTEGER),
            ],
            [[p["date"], p["requests"], p["orders"], p["total"]] for p in trend],
        ),
        "canaux": lambda: (
            _("Demandes par canal"),
            [Column(_("Canal")), Column(_("Demandes"), INTEGER)],
            _count_rows(channels),
        ),
        "metiers": lambda: (
            _("Demandes par corps de métier"),
            [Column(_("Corps de métier")), Column(_("Demandes"), INTEGER)],
            _count_rows(trades),
        ),
        "indicateurs": lambda: (
            _("Indicateurs"),
            [Column(_("Indicateur")), Column(_("Valeur"), DECIMAL), Column(_("Unité"))],
            _indicator_rows(backlog, repair, punctuality, channels),
        ),
    }
    download = _export(request, sections, "activite", scope.period)
    if download is not None:
        return download
    context = {
        "filter": filterset,
        "period": scope.period,
        "backlog": backlog,
        "trend": trend,
        "trend_start": trend[0] if trend else None,
        "repair": repair,
        "punctuality": punctuality,
        "channels": channels,
        "trades": trades[:12],
        "trades_all": trades,
        "requests_total": selectors.requests_total(channels),
        "tab": "activite",
    }
    return render(request, "reporting/dashboard.html", context)


def _indicator_rows(backlog, repair, punctuality, channels):
    return [
        [_("Demandes à trier"), backlog["requests"], _("demandes")],
        [_("Bons de travail ouverts"), backlog["orders"], _("bons")],
        [_("Délai médian de réparation"), repair["median_days"], _("jours")],
        [_("Délai moyen de réparation"), repair["mean_days"], _("jours")],
        [_("Interventions terminées dans les délais"), punctuality["rate"], "%"],
        [_("Demandes reçues"), selectors.requests_total(channels), _("demandes")],
    ]


# --- Costs -----------------------------------------------------------------------------------------

COST_COLUMNS = [
    Column(gettext_lazy("Bons validés"), INTEGER),
    Column(gettext_lazy("Main-d'œuvre (€)"), MONEY),
    Column(gettext_lazy("Matériel (€)"), MONEY),
    Column(gettext_lazy("Prestations externes (€)"), MONEY),
    Column(gettext_lazy("Total (€)"), MONEY),
]


def _cost_rows(rows, label, empty=""):
    for row in rows:
        yield [row.get(label) or empty, row["orders"], row["labour"], row["material"], row["external"], row["total"]]


@require_GET
@using_replica()
def costs(request):
    """Costs: over time, per commune (and quarter), per building and per m², per trade."""
    access = request.access
    _require(access)
    filterset = _filter(request)
    scope = filterset.scope(access)
    granularity = request.GET.get("pas") if request.GET.get("pas") in dict(GRANULARITIES) else "mois"
    # Every building for the export of the buildings; the page shows the top ones, picked by the database.
    every_building = request.GET.get("export") == "batiments"
    rollup = selectors.costs(scope, top=None if every_building else TOP)
    months = selectors.with_month_labels(rollup.by_month)
    series = selectors.by_quarter(months) if granularity == "trimestre" else months
    several = filterset.several_organisations and not scope.organisation_id
    crosstab = selectors.costs_by_organisation_and_quarter(scope) if several else None

    def buildings_rows():
        for row in rollup.by_building:
            name = row["name"] or _("Sans bâtiment")
            yield [
                name,
                row["site_name"] or "",
                row["organisation_name"],
                row["surface"],
                row["orders"],
                row["labour"],
                row["material"],
                row["external"],
                row["total"],
                row["per_m2"],
            ]

    sections = {
        "periodes": lambda: (
            _("Coûts par période"),
            [Column(_("Période")), *COST_COLUMNS],
            _cost_rows(series, "label"),
        ),
        "communes": lambda: (
            _("Coûts par collectivité"),
            [Column(_("Collectivité")), *COST_COLUMNS],
            _cost_rows(rollup.by_organisation, "name"),
        ),
        "batiments": lambda: (
            _("Coûts par bâtiment"),
            [
                Column(_("Bâtiment")),
                Column(_("Site")),
                Column(_("Collectivité")),
                Column(_("Surface (m²)"), DECIMAL),
                *COST_COLUMNS,
                Column(_("Coût au m² (€)"), MONEY),
            ],
            buildings_rows(),
        ),
        "metiers": lambda: (
            _("Coûts par corps de métier"),
            [Column(_("Corps de métier")), *COST_COLUMNS],
            _cost_rows(rollup.by_trade, "name", _("Non renseigné")),
        ),
    }
    if crosstab is not None:
        sections["communes-trimestres"] = lambda: (
            _("Coûts par collectivité et trimestre"),
            [
                Column(_("Collectivité")),
                *[Column(f"{c} (€)", MONEY) for c in crosstab.columns],
                Column(_("Total (€)"), MONEY),
            ],
            [[row["name"], *row["values"], row["total"]] for row in crosstab.rows],
        )
    download = _export(request, sections, "couts", scope.period)
    if download is not None:
        return download
    context = {
        "filter": filterset,
        "period": scope.period,
        "rollup": rollup,
        "series": series,
        "granularity": granularity,
        "granularities": GRANULARITIES,
        "several": several,
        "crosstab": crosstab,
        "top_buildings": rollup.by_building,
        "per_m2": rollup.per_m2,
        "tab": "couts",
    }
    return render(request, "reporting/costs.html", context)


# --- Annual report ----------------------------------------------------------------------------------


def _annual_form(request):
    return AnnualReportForm(request.GET or None, access=request.access)


@require_GET
@using_replica()
def annual(request):
    """Choose a commune and a year; see the report on screen, download it as PDF."""
    access = request.access
    _require(access)
    form = _annual_form(request)
    report = None
    if form.is_bound and form.is_valid():
        report = annual_report(access, form.cleaned_data["organisation"], form.cleaned_data["year"])
    return render(request, "reporting/annual.html", {"form": form, "report": report, "tab": "annuel"})


@require_GET
@using_replica()
def annual_pdf(request):
    access = request.access
    _require(access)
    form = _annual_form(request)
    if not form.is_valid():
        raise Http404
    report = annual_report(access, form.cleaned_data["organisation"], form.cleaned_data["year"])
    audit_read(access=access, action="reporting.annual_pdf", message=f"{report.organisation.slug}-{report.year}")
    return pdf_response(
        "reporting/annual_pdf.html",
        {"report": report, "generated_at": timezone.now()},
        filename=f"rapport-activite-{report.organisation.slug}-{report.year}",
        request=request,
    )
