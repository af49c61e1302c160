"""Search and filters of the asset list: one form, applied to buildings and to equipment."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _

from patrimoine.assets import selectors
from patrimoine.assets.models import AssetStatus, Building, Equipment, EquipmentCategory
from patrimoine.organisations.access import Access
from patrimoine.organisations.models import Organisation

ALL = "tous"
STATUS_CHOICES = [*AssetStatus.choices, (ALL, _("Tous, archivés compris"))]
ERP_CHOICES = [("oui", _("ERP seulement")), ("non", _("Hors ERP"))]


class _AssetFilter(django_filters.FilterSet):
    """Shared fields. Without a status, archived assets are left out."""

    q = django_filters.CharFilter(
        label=_("Rechercher"),
        method="filter_search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("nom, code, adresse, commune…")}),
    )
    status = django_filters.ChoiceFilter(
        label=_("Statut"),
        choices=STATUS_CHOICES,
        empty_label=_("Tous sauf archivés"),
        method="filter_status",
    )
    erp = django_filters.ChoiceFilter(label=_("ERP"), choices=ERP_CHOICES, empty_label=_("Tous"), method="filter_erp")
    category = django_filters.ModelChoiceFilter(
        label=_("Catégorie d'équipement"),
        queryset=EquipmentCategory.objects.all(),
        empty_label=_("Toutes"),
        method="filter_category",
    )
    organisation = django_filters.ModelChoiceFilter(
        label=_("Commune"), queryset=Organisation.objects.none(), empty_label=_("Toutes")
    )

    def __init__(self, data=None, *args, access: Access, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.access = access
        organisations = self.filters["organisation"]
        organisations.queryset = Organisation.objects.filter(pk__in=access.read_org_ids).order_by("name")
        if len(access.read_org_ids) < 2:
            del self.filters["organisation"]
        for name in ("status", "erp", "category", "organisation"):
            if name in self.filters:
                self.filters[name].extra.setdefault("widget", forms.Select(attrs={"data-autosubmit": ""}))

    @property
    def default_ordering(self) -> tuple:
        """By relevance when searching (`relevance` comes from the selectors), else alphabetical."""
        searching = self.form.is_valid() and (self.form.cleaned_data.get("q") or "").strip()
        return ("relevance", "search_text", "pk") if searching else ("search_text", "pk")

    @property
    def is_active(self) -> bool:
        """True when the user searched or filtered (the page then lists results instead of the tree)."""
        form = self.form
        return form.is_valid() and any(form.cleaned_data.get(name) not in (None, "") for name in form.cleaned_data)

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("status"):
            queryset = queryset.exclude(status=AssetStatus.ARCHIVED)
        return queryset

    def filter_status(self, queryset, name, value):
        return queryset if value == ALL else queryset.filter(status=value)


class BuildingFilter(_AssetFilter):
    o = django_filters.OrderingFilter(
        label=_("Trier par"),
        fields=(("search_text", "name"), ("city", "city"), ("surface_m2", "surface_m2"), ("construction_year", "year")),
        field_labels={"name": _("nom"), "city": _("commune"), "surface_m2": _("surface"), "year": _("année")},
        empty_label=_("Nom"),
    )

    class Meta:
        model = Building
        fields = ["q", "status", "erp", "category", "organisation"]

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        return queryset if self.form.cleaned_data.get("o") else queryset.order_by(*self.default_ordering)

    def filter_search(self, queryset, name, value):
        return selectors.buildings_matching(queryset, value)

    def filter_erp(self, queryset, name, value):
        return queryset.filter(is_erp=value == "oui")

    def filter_category(self, queryset, name, value):
        equipment = Equipment.objects.filter(building_id=OuterRef("pk"), category=value)
        return queryset.filter(Exists(equipment))


class EquipmentFilter(_AssetFilter):
    class Meta:
        model = Equipment
        fields = ["q", "status", "erp", "category", "organisation"]

    def filter_search(self, queryset, name, value):
        return selectors.equipment_matching(queryset, value)

    def filter_erp(self, queryset, name, value):
        return queryset.filter(building__is_erp=value == "oui")

    def filter_category(self, queryset, name, value):
        return queryset.filter(category=value)
