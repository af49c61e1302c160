"""Filters of the request list (django-filter). Parameter names are the French words of the URL."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from patrimoine.assets.models import AssetStatus, Building
from patrimoine.core.widgets import CompactSelect
from patrimoine.intake.models import Urgency, WorkRequest, fold
from patrimoine.organisations.access import Access
from patrimoine.organisations.models import Organisation

Status = WorkRequest.Status
ALL = "toutes"

SORTS = {
    # parameter: (label, ordering)
    "urgence": (_("Urgentes d'abord"), ("urgency_rank", "created_at")),
    "-creation": (_("Plus récentes d'abord"), ("-created_at",)),
    "creation": (_("Plus anciennes d'abord"), ("created_at",)),
}


class WorkRequestFilter(django_filters.FilterSet):
    """Status is the tab (« À trier » by default for triage roles), the rest narrows it down."""

    statut = django_filters.ChoiceFilter(
        label=_("Statut"), choices=[(ALL, _("Toutes")), *Status.choices], empty_label=None, method="filter_status"
    )
    q = django_filters.CharFilter(
        label=_("Rechercher"),
        method="filter_search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("N°, mots, lieu…")}),
    )
    urgence = django_filters.ChoiceFilter(
        label=_("Urgence"), field_name="urgency", choices=Urgency.choices, empty_label=_("Toutes")
    )
    collectivite = django_filters.ModelChoiceFilter(
        label=_("Commune"),
        field_name="organisation",
        queryset=Organisation.objects.none(),
        empty_label=_("Toutes"),
        widget=CompactSelect,
    )
    batiment = django_filters.ModelChoiceFilter(
        label=_("Bâtiment"),
        field_name="building",
        queryset=Building.objects.none(),
        empty_label=_("Tous"),
        widget=CompactSelect,
    )
    tri = django_filters.ChoiceFilter(
        label=_("Trier par"),
        choices=[(key, label) for key, (label, _ordering) in SORTS.items()],
        empty_label=None,
        method="filter_sort",
    )

    class Meta:
        model = WorkRequest
        fields: list[str] = []

    def __init__(self, data=None, *args, access: Access, queryset, default_status: str, default_sort: str, **kwargs):
        data = data.copy() if data is not None else None
        if data is not None:
            if not data.get("statut"):
                data["statut"] = default_status
            if not data.get("tri"):
                data["tri"] = default_sort
        super().__init__(data, *args, queryset=queryset, **kwargs)
        self.access = access
        if len(access.read_org_ids) > 1:
            self.filters["collectivite"].queryset = Organisation.objects.filter(pk__in=access.read_org_ids).order_by(
                "name"
            )
        else:
            del self.filters["collectivite"]
        if access.has("intake.view_all"):
            # The buildings in scope (not « those with requests », a semi-join over years of them).
            self.filters["batiment"].queryset = (
                Building.objects.exclude(status=AssetStatus.ARCHIVED)
                .only("pk", "name")
                .order_by("organisation__name", "name")
            )
        else:
            del self.filters["batiment"]
            del self.filters["urgence"]

    @property
    def form(self):
        form = super().form
        form.label_suffix = ""
        return form

    @property
    def status(self) -> str:
        return self.form.cleaned_data.get("statut") or ALL if self.form.is_valid() else ALL

    @property
    def sort(self) -> str:
        value = self.form.cleaned_data.get("tri") if self.form.is_valid() else None
        return value if value in SORTS else "urgence"

    def filter_status(self, queryset, name, value):
        return queryset if value == ALL else queryset.filter(status=value)

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        folded = fold(value)
        return queryset.filter(Q(search_text__contains=folded) | Q(building__name__icontains=value))

    def filter_sort(self, queryset, name, value):
        return queryset.order_by(*SORTS.get(value, SORTS["urgence"])[1], "pk")

    def queryset_without_status(self):
        """The filtered queryset before the status tab: the tab counts come from it."""
        queryset = self.queryset
        if not self.form.is_valid():
            return queryset.none()
        for name, value in self.form.cleaned_data.items():
            if name in ("statut", "tri"):
                continue
            queryset = self.filters[name].filter(queryset, value)
        return queryset
