"""Filters of the stock lists (django-filter). Parameter names are the French words of the URL."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from patrimoine.stock.models import Item, StockMovement

SORTS = {
    "designation": (_("Désignation"), ("label", "reference")),
    "reference": (_("Référence"), ("reference",)),
    "-valeur": (_("Valeur en stock (décroissante)"), ("-value", "label")),
    "-quantite": (_("Quantité (décroissante)"), ("-on_hand", "label")),
}
DEFAULT_SORT = "designation"


class CatalogueFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Rechercher"),
        method="filter_search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Désignation ou référence")}),
    )
    famille = django_filters.ChoiceFilter(label=_("Famille"), field_name="category", empty_label=_("Toutes"))
    alerte = django_filters.BooleanFilter(
        label=_("Sous le seuil seulement"), method="filter_alert", widget=forms.CheckboxInput
    )
    inactifs = django_filters.BooleanFilter(
        label=_("Articles retirés du catalogue"), method="filter_inactive", widget=forms.CheckboxInput
    )
    tri = django_filters.ChoiceFilter(
        label=_("Trier par"),
        choices=[(key, label) for key, (label, _ordering) in SORTS.items()],
        empty_label=None,
        method="filter_sort",
    )

    class Meta:
        model = Item
        fields: list[str] = []

    def __init__(self, data=None, *args, queryset, **kwargs):
        data = data.copy() if data is not None else None
        if data is not None:
            data.setdefault("tri", DEFAULT_SORT)
        super().__init__(data, *args, queryset=queryset, **kwargs)
        families = queryset.exclude(category="").order_by("category").values_list("category", flat=True).distinct()
        self.filters["famille"].extra["choices"] = [(name, name) for name in families]

    @property
    def qs(self):
        items = super().qs
        if not self.form.cleaned_data.get("inactifs"):
            items = items.filter(is_active=True)
        return items

    def filter_search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(label__icontains=value) | Q(reference__icontains=value)) if value else queryset

    def filter_alert(self, queryset, name, value):
        return queryset.filter(alerts__gt=0) if value else queryset

    def filter_inactive(self, queryset, name, value):
        return queryset.filter(is_active=False) if value else queryset

    def filter_sort(self, queryset, name, value):
        return queryset.order_by(*SORTS.get(value, SORTS[DEFAULT_SORT])[1])

    @property
    def sort(self) -> str:
        return self.form.cleaned_data.get("tri") or DEFAULT_SORT if self.form.is_valid() else DEFAULT_SORT


class MovementFilter(django_filters.FilterSet):
    nature = django_filters.ChoiceFilter(
        label=_("Nature"), field_name="kind", choices=StockMovement.Kind.choices, empty_label=_("Toutes")
    )
    magasin = django_filters.ModelChoiceFilter(
        label=_("Magasin"), field_name="store", queryset=None, empty_label=_("Tous")
    )

    class Meta:
        model = StockMovement
        fields: list[str] = []

    def __init__(self, data=None, *args, stores, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.filters["magasin"].queryset = stores
