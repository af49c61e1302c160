"""Contracts (marchés): the list with the creation form, one contract with its lots and their unit
price schedules (BPU)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from patrimoine.core.errors import DomainError, PermissionRefused
from patrimoine.organisations.models import Membership, Trade
from patrimoine.purchasing import selectors, services
from patrimoine.purchasing.forms import ContractForm, LotForm, PriceLineForm
from patrimoine.purchasing.views.common import PAGE_SIZE, require


def _list(request, *, form=None, status=200):
    access = request.access
    if access.role == Membership.Role.CONTRACTOR:
        raise PermissionDenied
    can_manage = access.has("purchasing.manage")
    page = Paginator(selectors.contracts_for_list(access), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "show_organisation": len(access.read_org_ids) > 1,
        "form": form or (ContractForm() if can_manage else None),
    }
    return render(request, "purchasing/contract_list.html", context, status=status)


@require_GET
def contract_list(request):
    require(request.access, "purchasing.view")
    return _list(request)


@require_POST
def contract_create(request):
    access = request.access
    require(access, "purchasing.manage")
    form = ContractForm(request.POST)
    if form.is_valid():
        try:
            contract = services.contract_create(access=access, **form.cleaned_data)
        except PermissionRefused:
            raise PermissionDenied from None
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Marché %(ref)s créé.") % {"ref": contract.reference})
            return redirect("purchasing:contract-detail", pk=contract.pk)
    return _list(request, form=form, status=400)


def _detail(request, contract, *, lot_form=None, price_forms=None, status=200):
    access = request.access
    can_manage = access.can("purchasing.manage", contract)
    lots = selectors.contract_lots(contract)
    price_forms = price_forms or {}
    for lot in lots:
        lot.price_form = price_forms.get(lot.pk) or (PriceLineForm(prefix=f"prix-{lot.pk}") if can_manage else None)
    context = {
        "contract": contract,
        "lots": lots,
        "can_manage": can_manage,
        "lot_form": lot_form
        or (
            LotForm(contractors=selectors.contractors_of(contract.organisation_id), trades=Trade.objects.all())
            if can_manage
            else None
        ),
    }
    return render(request, "purchasing/contract_detail.html", context, status=status)


@require_GET
def contract_detail(request, pk):
    return _detail(request, selectors.get_contract_for(request.access, pk))


@require_POST
def contract_lot_add(request, pk):
    access = request.access
    contract = selectors.get_contract_for(access, pk)
    if not access.can("purchasing.manage", contract):
        raise PermissionDenied
    form = LotForm(
        request.POST, contractors=selectors.contractors_of(contract.organisation_id), trades=Trade.objects.all()
    )
    if form.is_valid():
        try:
            services.lot_add(access=access, contract=contract, **form.cleaned_data)
        except PermissionRefused:
            raise PermissionDenied from None
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Lot ajouté."))
            return redirect("purchasing:contract-detail", pk=contract.pk)
    return _detail(request, contract, lot_form=form, status=400)


@require_POST
def lot_price_add(request, pk):
    access = request.access
    lot = selectors.get_lot_for(access, pk)
    if not access.can("purchasing.manage", lot):
        raise PermissionDenied
    form = PriceLineForm(request.POST, prefix=f"prix-{lot.pk}")
    if form.is_valid():
        try:
            services.price_line_add(access=access, lot=lot, **form.cleaned_data)
        except PermissionRefused:
            raise PermissionDenied from None
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Prix ajouté au bordereau du lot %(n)s.") % {"n": lot.number})
            return redirect("purchasing:contract-detail", pk=lot.contract_id)
    return _detail(request, lot.contract, price_forms={lot.pk: form}, status=400)
