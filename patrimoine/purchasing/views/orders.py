"""Purchase orders: the list, the creation and change forms, and one order's page, where lines are
added on a draft, the order moves through its statuses and invoices are matched to it."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from patrimoine.budgets.selectors import line_status
from patrimoine.core.errors import DomainError, PermissionRefused
from patrimoine.core.templatetags.formatting import format_euros
from patrimoine.organisations.models import Membership
from patrimoine.purchasing import selectors, services
from patrimoine.purchasing.filters import PurchaseOrderFilter
from patrimoine.purchasing.forms import InvoiceForm, OrderLineForm, PurchaseOrderForm, StatusForm
from patrimoine.purchasing.models import PurchaseOrder
from patrimoine.purchasing.views.common import PAGE_SIZE, budget_lines_for_orders, is_htmx, require
from patrimoine.workorders.selectors import get_work_order_for

Status = PurchaseOrder.Status


@require_GET
def order_list(request):
    access = request.access
    require(access, "purchasing.view")
    filterset = PurchaseOrderFilter(request.GET, queryset=selectors.purchase_orders_for_list(access))
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filter": filterset,
        "page": page,
        "sort": filterset.sort,
        "show_organisation": len(access.read_org_ids) > 1,
        "can_manage": access.has("purchasing.manage"),
        "show_contracts": access.role != Membership.Role.CONTRACTOR,
        "show_contractor": access.role != Membership.Role.CONTRACTOR,
    }
    if not context["show_contractor"]:
        del filterset.form.fields["prestataire"]
    template = "purchasing/partials/order_results.html" if is_htmx(request) else "purchasing/order_list.html"
    return render(request, template, context)


def _order_form(request, access, *, order=None, data=None):
    organisation_id = order.organisation_id if order else access.organisation.pk
    initial = {}
    if order is not None:
        initial = {
            "title": order.title,
            "work_order": order.work_order.reference if order.work_order else "",
            "budget_line": order.budget_line_id,
            "vat_rate": str(order.vat_rate).replace(".", ","),
        }
    elif request.GET.get("bon"):
        work_order = get_work_order_for(access, request.GET["bon"])
        initial = {"work_order": work_order.reference, "title": work_order.title}
    return PurchaseOrderForm(
        data,
        initial=initial,
        lots=selectors.lots_for_orders(access, organisation_id),
        contractors=selectors.contractors_of(organisation_id),
        budget_lines=budget_lines_for_orders(organisation_id, order.budget_line if order else None),
        creating=order is None,
    )


def _work_order_of(access, form):
    reference = form.cleaned_data.get("work_order")
    if not reference:
        return None
    work_order = selectors.work_order_by_reference(access, reference)
    if work_order is None:
        form.add_error("work_order", _("Aucun bon de travail de votre collectivité ne porte ce numéro."))
    return work_order


@require_http_methods(["GET", "POST"])
def order_create(request):
    access = request.access
    require(access, "purchasing.manage")
    form = _order_form(request, access, data=request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            work_order = _work_order_of(access, form)
            if not form.errors:
                data = form.cleaned_data
                try:
                    order = services.purchase_order_create(
                        access=access,
                        title=data["title"],
                        contractor=data.get("contractor"),
                        lot=data.get("lot"),
                        work_order=work_order,
                        budget_line=data.get("budget_line"),
                        vat_rate=data["vat_rate"],
                    )
                except PermissionRefused:
                    raise PermissionDenied from None
                except DomainError as error:
                    form.add_error(None, error.message)
                else:
                    messages.success(request, _("Bon de commande %(ref)s créé (brouillon).") % {"ref": order.reference})
                    return redirect("purchasing:order-detail", pk=order.pk)
        status = 400
    return render(request, "purchasing/order_form.html", {"form": form, "order": None}, status=status)


@require_http_methods(["GET", "POST"])
def order_edit(request, pk):
    access = request.access
    order = selectors.get_purchase_order_for(access, pk)
    if not access.can("purchasing.manage", order):
        raise PermissionDenied
    form = _order_form(request, access, order=order, data=request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            work_order = _work_order_of(access, form)
            if not form.errors:
                data = form.cleaned_data
                try:
                    services.purchase_order_update(
                        access=access,
                        order=order,
                        title=data["title"],
                        work_order=work_order,
                        budget_line=data.get("budget_line"),
                        vat_rate=data["vat_rate"],
                    )
                except PermissionRefused:
                    raise PermissionDenied from None
                except DomainError as error:
                    form.add_error(None, error.message)
                else:
                    messages.success(request, _("Bon de commande modifié."))
                    return redirect("purchasing:order-detail", pk=order.pk)
        status = 400
    return render(request, "purchasing/order_form.html", {"form": form, "order": order}, status=status)


# --- One order ------------------------------------------------------------------------------------------


def _prices(order):
    return selectors.prices_of_order(order)


def _detail(request, order, *, status=200, line_form=None, invoice_form=None, status_form=None, notice=""):
    access = request.access
    can_manage = access.can("purchasing.manage", order)
    invoiced = selectors.invoiced_totals(order)
    budget = None
    if order.budget_line_id and access.has("budgets.view"):
        budget = line_status(order.budget_line)
    draft, open_ = order.status == Status.DRAFT, order.status in PurchaseOrder.OPEN_STATUSES
    context = {
        "order": order,
        "lines": list(selectors.order_lines(order)),
        "invoices": list(selectors.order_invoices(order)),
        "invoiced": invoiced,
        "to_invoice_ht": order.total_ht - invoiced["ht"],
        "vat_amount": order.total_ttc - order.total_ht,
        "budget": budget,
        "can_manage": can_manage,
        "can_edit": can_manage and draft,
        "can_commit": can_manage and draft,
        "can_receive": can_manage and order.status == Status.COMMITTED,
        "can_cancel": can_manage and order.status not in (Status.SETTLED, Status.CANCELLED) and not invoiced["count"],
        "line_form": line_form
        or (OrderLineForm(prices=_prices(order), prefix="ligne") if can_manage and draft else None),
        "invoice_form": invoice_form or (InvoiceForm(prefix="facture") if can_manage and open_ else None),
        "status_form": status_form,
        "notice": notice,
        "show_work_order_link": access.has("workorders.view"),
    }
    return render(request, "purchasing/order_detail.html", context, status=status)


@require_GET
def order_detail(request, pk):
    return _detail(request, selectors.get_purchase_order_for(request.access, pk))


def _managed_order(request, pk) -> PurchaseOrder:
    order = selectors.get_purchase_order_for(request.access, pk)
    if not request.access.can("purchasing.manage", order):
        raise PermissionDenied
    return order


@require_POST
def order_line_add(request, pk):
    access = request.access
    order = _managed_order(request, pk)
    form = OrderLineForm(request.POST, prices=_prices(order), prefix="ligne")
    if form.is_valid():
        try:
            line = services.purchase_order_line_add(access=access, order=order, **form.cleaned_data)
        except PermissionRefused:
            raise PermissionDenied from None
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("Ligne ajoutée : %(label)s, %(amount)s HT.")
                % {"label": line.label, "amount": format_euros(line.amount_ht)},
            )
            return redirect("purchasing:order-detail", pk=order.pk)
    return _detail(request, order, status=400, line_form=form)


@require_POST
def order_line_remove(request, pk, line_pk):
    access = request.access
    order = _managed_order(request, pk)
    line = selectors.get_order_line_for(order, line_pk)
    try:
        services.purchase_order_line_remove(access=access, line=line)
    except PermissionRefused:
        raise PermissionDenied from None
    except DomainError as error:
        return _detail(request, order, status=400, notice=error.message)
    messages.success(request, _("Ligne retirée."))
    return redirect("purchasing:order-detail", pk=order.pk)


@require_POST
def order_status(request, pk):
    """Engager, service fait, annuler: one small form per move."""
    access = request.access
    order = _managed_order(request, pk)
    form = StatusForm(request.POST)
    if not form.is_valid():
        return _detail(request, order, status=400, notice=_("Action inconnue."))
    action = form.cleaned_data["action"]
    try:
        if action == "engager":
            commitment = services.purchase_order_commit(access=access, order=order)
            messages.success(
                request,
                _("Bon de commande %(ref)s engagé : %(amount)s TTC sur la ligne « %(line)s ».")
                % {"ref": order.reference, "amount": format_euros(order.total_ttc), "line": order.budget_line.code},
            )
            if commitment.alert:
                messages.warning(request, commitment.alert)
        elif action == "receptionner":
            services.purchase_order_receive(access=access, order=order)
            messages.success(request, _("Service fait enregistré."))
        else:
            services.purchase_order_cancel(access=access, order=order, reason=form.cleaned_data["reason"])
            messages.success(request, _("Bon de commande annulé."))
    except PermissionRefused:
        raise PermissionDenied from None
    except DomainError as error:
        return _detail(request, order, status=400, notice=error.message, status_form=form)
    return redirect("purchasing:order-detail", pk=order.pk)


@require_POST
def order_invoice_add(request, pk):
    access = request.access
    order = _managed_order(request, pk)
    form = InvoiceForm(request.POST, prefix="facture")
    if form.is_valid():
        try:
            match = services.invoice_record(access=access, order=order, **form.cleaned_data)
        except PermissionRefused:
            raise PermissionDenied from None
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            text = _("Facture %(number)s rapprochée : %(amount)s TTC.") % {
                "number": match.invoice.number,
                "amount": format_euros(match.invoice.amount_ttc),
            }
            if match.settled:
                text += " " + _("Le bon de commande est soldé.")
            if match.cost_added:
                text += " " + _("Son montant est ajouté aux coûts du bon de travail %(ref)s.") % {
                    "ref": order.work_order.reference
                }
            messages.success(request, text)
            if match.work_order_closed:
                messages.warning(
                    request,
                    _("Le bon de travail %(ref)s est clos : la facture compte au budget, mais pas dans son coût.")
                    % {"ref": order.work_order.reference},
                )
            return redirect("purchasing:order-detail", pk=order.pk)
    return _detail(request, order, status=400, invoice_form=form)
