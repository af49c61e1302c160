"""Filters of the statement list: commune, year of the period, number."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patrimoine.chargeback.models import Statement
from patrimoine.organisations.models import Organisation

FIRST_YEAR = 2015


def _years() -> list[tuple[int, str]]:
    this_year = timezone.localdate().year
    return [(year, str(year)) for year in range(this_year, FIRST_YEAR - 1, -1)]


class StatementFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Numéro"),
        method="filter_search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("RF-2026-…")}),
    )
    commune = django_filters.ModelChoiceFilter(
        label=_("Commune"), field_name="commune", queryset=Organisation.objects.none(), empty_label=_("Toutes")
    )
    annee = django_filters.ChoiceFilter(
        label=_("Année de la période"), choices=_years, method="filter_year", empty_label=_("Toutes")
    )

    class Meta:
        model = Statement
        fields: list[str] = []

    def __init__(self, data=None, *args, communes=None, **kwargs):
        super().__init__(data, *args, **kwargs)
        if communes is None:
            del self.filters["commune"]
        else:
            pks = [commune.pk for commune in communes]
            self.filters["commune"].queryset = Organisation.objects.filter(pk__in=pks).order_by("name")

    def filter_search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(reference__icontains=value) | Q(commune_name__icontains=value)) if value else queryset

    def filter_year(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(period_start__year__lte=int(value), period_end__year__gte=int(value))
