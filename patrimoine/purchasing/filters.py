"""Filters of the purchase-order list (django-filter). Parameter names are the French words of the URL."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from patrimoine.contractors.models import Contractor
from patrimoine.purchasing.models import PurchaseOrder

Status = PurchaseOrder.Status
OPEN = "en_cours"

SORTS = {
    "-creation": (_("Plus récents d'abord"), ("-created_at",)),
    "creation": (_("Plus anciens d'abord"), ("created_at",)),
    "-montant": (_("Montant décroissant"), ("-total_ttc", "-created_at")),
    "numero": (_("Numéro"), ("reference",)),
}
DEFAULT_SORT = "-creation"


class PurchaseOrderFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Rechercher"),
        method="filter_search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Numéro, objet, prestataire, n° de BT")}),
    )
    statut = django_filters.ChoiceFilter(
        label=_("Statut"),
        choices=[(OPEN, _("Engagés ou reçus")), *Status.choices],
        empty_label=_("Tous les statuts"),
        method="filter_status",
    )
    prestataire = django_filters.ModelChoiceFilter(
        label=_("Prestataire"), field_name="contractor", queryset=Contractor.objects.none(), empty_label=_("Tous")
    )
    tri = django_filters.ChoiceFilter(
        label=_("Trier par"),
        choices=[(key, label) for key, (label, _ordering) in SORTS.items()],
        empty_label=None,
        method="filter_sort",
    )

    class Meta:
        model = PurchaseOrder
        fields: list[str] = []

    def __init__(self, data=None, *args, queryset, **kwargs):
        data = data.copy() if data is not None else None
        if data is not None:
            data.setdefault("tri", DEFAULT_SORT)
        super().__init__(data, *args, queryset=queryset, **kwargs)
        self.filters["prestataire"].queryset = Contractor.objects.filter(
            pk__in=queryset.order_by().values("contractor_id")
        ).order_by("name")

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(reference__icontains=value)
            | Q(title__icontains=value)
            | Q(contractor__name__icontains=value)
            | Q(work_order__reference__icontains=value)
        )

    def filter_status(self, queryset, name, value):
        if value == OPEN:
            return queryset.filter(status__in=PurchaseOrder.OPEN_STATUSES)
        return queryset.filter(status=value) if value else queryset

    def filter_sort(self, queryset, name, value):
        return queryset.order_by(*SORTS.get(value, SORTS[DEFAULT_SORT])[1])

    @property
    def sort(self) -> str:
        return (self.form.cleaned_data.get("tri") or DEFAULT_SORT) if self.form.is_valid() else DEFAULT_SORT
