"""Charge-back pages: the statements list, the draft and « Émettre », one statement (HTML, PDF, CSV,
XLSX) and the reconciliation of the shared teams' cost with what was billed."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from patrimoine.chargeback import selectors, services
from patrimoine.chargeback.filters import StatementFilter
from patrimoine.chargeback.forms import DraftForm, IssueForm, PeriodForm
from patrimoine.core.errors import ConcurrentEditError, DomainError, PermissionRefused
from patrimoine.core.services import audit_read
from patrimoine.reporting.exports import DATE, DECIMAL, INTEGER, MONEY, Column, export_format, export_response
from patrimoine.reporting.pdf import pdf_response

PAGE_SIZE = 25


def _may_list(access) -> bool:
    return access.has("chargeback.view") or access.has("chargeback.receive")


# --- List ----------------------------------------------------------------------------------------

LIST_COLUMNS = [
    Column(gettext_lazy("Numéro")),
    Column(gettext_lazy("Émetteur")),
    Column(gettext_lazy("Commune")),
    Column(gettext_lazy("Du"), DATE),
    Column(gettext_lazy("Au"), DATE),
    Column(gettext_lazy("Émis le"), DATE),
    Column(gettext_lazy("Bons"), INTEGER),
    Column(gettext_lazy("Heures"), DECIMAL),
    Column(gettext_lazy("Main-d'œuvre (€)"), MONEY),
    Column(gettext_lazy("Matériel (€)"), MONEY),
    Column(gettext_lazy("Prestations externes (€)"), MONEY),
    Column(gettext_lazy("Coût direct (€)"), MONEY),
    Column(gettext_lazy("Taux de frais généraux (%)"), DECIMAL),
    Column(gettext_lazy("Frais généraux (€)"), MONEY),
    Column(gettext_lazy("Total (€)"), MONEY),
]


def _list_rows(statements):
    for s in statements.iterator(chunk_size=500):
        yield [
            s.reference,
            s.issuer_name,
            s.commune_name,
            s.period_start,
            s.period_end,
            s.issued_at,
            s.line_count,
            s.hours,
            s.labour,
            s.material,
            s.external,
            s.subtotal,
            s.overhead_rate,
            s.overhead,
            s.total,
        ]


@require_GET
def statement_list(request):
    access = request.access
    if not _may_list(access):
        raise PermissionDenied
    communes = None
    if access.has("chargeback.view"):
        communes = list(selectors.chargeable_communes(access.organisation)) or None
    issuer = communes is not None
    filterset = StatementFilter(request.GET, queryset=selectors.statements_for_list(access), communes=communes)
    statements = filterset.qs
    fmt = export_format(request)
    if fmt:
        audit_read(access=access, action="chargeback.list_export", data=dict(request.GET))
        return export_response(
            fmt,
            filename="releves-refacturation",
            title=_("Relevés de refacturation"),
            columns=LIST_COLUMNS,
            rows=_list_rows(statements),
        )
    page = Paginator(statements, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filter": filterset,
        "page": page,
        "can_issue": issuer and access.has("chargeback.issue"),
        "can_reconcile": issuer,
    }
    return render(request, "chargeback/list.html", context)


# --- Draft and issue -----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def statement_new(request):
    """GET: choose a commune and a period, see the draft. POST: « Émettre » exactly that draft."""
    access = request.access
    if not access.has("chargeback.issue"):
        raise PermissionDenied
    communes = selectors.chargeable_communes(access.organisation)
    status = 200
    if request.method == "POST":
        issue_form = IssueForm(request.POST, communes=communes)
        if issue_form.is_valid():
            try:
                statement = services.statement_issue(
                    access=access,
                    commune=issue_form.cleaned_data["commune"],
                    period=issue_form.period,
                    fingerprint=issue_form.cleaned_data["empreinte"],
                )
            except PermissionRefused:
                raise PermissionDenied from None
            except DomainError as error:
                messages.error(request, error.message)
                status = 409 if isinstance(error, ConcurrentEditError) else 400
            else:
                messages.success(
                    request,
                    _("Relevé %(reference)s émis pour %(commune)s : %(count)s bons.")
                    % {
                        "reference": statement.reference,
                        "commune": statement.commune_name,
                        "count": statement.line_count,
                    },
                )
                return redirect("chargeback:detail", pk=statement.pk)
        else:
            status = 400
            messages.error(request, _("Relevé incomplet : choisissez à nouveau la commune et la période."))
        query = {
            "commune": request.POST.get("commune", ""),
            "trimestre": "autre",
            "debut": request.POST.get("debut", ""),
            "fin": request.POST.get("fin", ""),
        }
        form = DraftForm(query, communes=communes, include_current=True)
    else:
        form = DraftForm(request.GET or None, communes=communes, include_current=True)
    draft = None
    if form.is_bound and form.is_valid():
        draft = selectors.statement_draft(
            access.organisation, form.cleaned_data["commune"], form.cleaned_data["period"]
        )
        selectors.with_items(draft.lines)
    context = {
        "form": form,
        "draft": draft,
        "issue_form": _issue_form(draft, communes) if draft else None,
        "period_over": draft is not None and selectors.period_over(draft.period),
        "communes": communes,
    }
    return render(request, "chargeback/new.html", context, status=status)


def _issue_form(draft, communes) -> IssueForm:
    return IssueForm(
        initial={
            "commune": draft.commune.pk,
            "debut": draft.period.start.isoformat(),
            "fin": draft.period.end.isoformat(),
            "empreinte": draft.fingerprint,
        },
        communes=communes,
    )


# --- One statement -------------------------------------------------------------------------------


def _statement_context(request, pk) -> dict:
    statement = selectors.get_statement_for(request.access, pk)
    lines = selectors.with_items(selectors.statement_lines(statement))
    return {"statement": statement, "lines": lines, "is_issuer": selectors.is_issuer(request.access, statement)}


@require_GET
def statement_detail(request, pk):
    return render(request, "chargeback/detail.html", _statement_context(request, pk))


@require_GET
def statement_pdf(request, pk):
    context = _statement_context(request, pk)
    audit_read(access=request.access, action="chargeback.pdf", target=context["statement"])
    return pdf_response(
        "chargeback/statement_pdf.html", context, filename=context["statement"].reference, request=request
    )


EXPORT_COLUMNS = [
    Column(gettext_lazy("Relevé")),
    Column(gettext_lazy("Commune")),
    Column(gettext_lazy("Bon")),
    Column(gettext_lazy("Intitulé")),
    Column(gettext_lazy("Lieu")),
    Column(gettext_lazy("Validé le"), DATE),
    Column(gettext_lazy("Nature")),
    Column(gettext_lazy("Désignation")),
    Column(gettext_lazy("Quantité"), DECIMAL),
    Column(gettext_lazy("Unité")),
    Column(gettext_lazy("Prix unitaire (€)"), MONEY),
    Column(gettext_lazy("Montant (€)"), MONEY),
]


def _export_rows(statement, lines):
    for line in lines:
        for item in line.items:
            yield [
                statement.reference,
                statement.commune_name,
                line.reference,
                line.title,
                line.place,
                line.validated_on,
                str(item["kind_label"]),
                item["label"],
                item["quantity"],
                item["unit"],
                item["unit_price"],
                item["amount"],
            ]
    rate = f"{statement.overhead_rate}".replace(".", ",")
    for label, amount in (
        (_("Coût direct"), statement.subtotal),
        (_("Frais généraux (%(rate)s %%)") % {"rate": rate}, statement.overhead),
        (_("Total à refacturer"), statement.total),
    ):
        yield [statement.reference, statement.commune_name, *[""] * 4, "", label, None, "", None, amount]


@require_GET
def statement_export(request, pk):
    context = _statement_context(request, pk)
    statement = context["statement"]
    audit_read(access=request.access, action="chargeback.export", target=statement, message=statement.reference)
    return export_response(
        export_format(request) or "csv",
        filename=statement.reference,
        title=statement.reference,
        columns=EXPORT_COLUMNS,
        rows=_export_rows(statement, context["lines"]),
    )


# --- Reconciliation ------------------------------------------------------------------------------

RECONCILIATION_COLUMNS = [
    Column(gettext_lazy("Collectivité")),
    Column(gettext_lazy("Bons validés"), INTEGER),
    Column(gettext_lazy("Coût des équipes (€)"), MONEY),
    Column(gettext_lazy("Bons refacturés"), INTEGER),
    Column(gettext_lazy("Refacturé, hors frais généraux (€)"), MONEY),
    Column(gettext_lazy("Reste à refacturer (€)"), MONEY),
    Column(gettext_lazy("Part de l'émetteur (€)"), MONEY),
]


def _reconciliation_rows(result):
    for row in result.rows:
        yield [
            row.name,
            row.orders,
            row.cost,
            row.billed_orders,
            row.billed,
            row.unbilled,
            row.cost if row.own else None,
        ]
    orders = sum(r.orders for r in result.rows)
    billed_orders = sum(r.billed_orders for r in result.rows)
    yield [_("Total"), orders, result.team_total, billed_orders, result.billed, result.unbilled, result.own_share]


@require_GET
def reconciliation_view(request):
    access = request.access
    if not access.has("chargeback.view"):
        raise PermissionDenied
    form = PeriodForm(request.GET or None, include_current=True)
    period = form.period_or_default()
    result = selectors.reconciliation(access.organisation, period)
    fmt = export_format(request)
    if fmt:
        audit_read(access=access, action="chargeback.reconciliation_export", data=dict(request.GET))
        return export_response(
            fmt,
            filename=f"rapprochement-{period.start:%Y%m%d}-{period.end:%Y%m%d}",
            title=_("Rapprochement"),
            columns=RECONCILIATION_COLUMNS,
            rows=_reconciliation_rows(result),
        )
    return render(request, "chargeback/reconciliation.html", {"form": form, "result": result, "period": period})
