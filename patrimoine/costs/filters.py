"""Filters of the cost overview: year (default: this year) or a period, commune, trade."""

import datetime as dt

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patrimoine.core.dates import day_start
from patrimoine.costs.forms import DateInput
from patrimoine.costs.selectors import Period
from patrimoine.organisations.models import Organisation, Trade

FIRST_YEAR = 2015


def _years() -> list[tuple[int, int]]:
    this_year = timezone.localdate().year
    return [(year, str(year)) for year in range(this_year + 1, FIRST_YEAR - 1, -1)]


class CostFilterForm(forms.Form):
    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("La fin de la période doit suivre son début."))
        return data


class CostFilter(django_filters.FilterSet):
    """Applied to the validated orders the user may read (`costs.selectors.validated_orders`)."""

    year = django_filters.ChoiceFilter(label=_("Année"), choices=_years, method="filter_period", empty_label=None)
    date_from = django_filters.DateFilter(
        label=_("Du"), method="filter_period", widget=DateInput, input_formats=["%Y-%m-%d", "%d/%m/%Y"]
    )
    date_to = django_filters.DateFilter(
        label=_("Au"), method="filter_period", widget=DateInput, input_formats=["%Y-%m-%d", "%d/%m/%Y"]
    )
    organisation = django_filters.ModelChoiceFilter(
        label=_("Collectivité"), queryset=Organisation.objects.none(), empty_label=_("Toutes")
    )
    trade = django_filters.ModelChoiceFilter(
        label=_("Corps de métier"), queryset=Trade.objects.all(), empty_label=_("Tous")
    )

    class Meta:
        form = CostFilterForm
        fields: list[str] = []

    def __init__(self, data=None, *args, access=None, **kwargs):
        data = data.copy() if data is not None else {}
        if not data.get("year"):
            data["year"] = str(timezone.localdate().year)
        super().__init__(data, *args, **kwargs)
        organisations = Organisation.objects.filter(pk__in=access.read_org_ids).order_by("name")
        self.filters["organisation"].queryset = organisations
        self.form.fields["organisation"].queryset = organisations
        self.several_organisations = len(access.read_org_ids) > 1
        if not self.several_organisations:
            del self.form.fields["organisation"]

    def filter_period(self, queryset, name, value):
        # All three fields together make one period; applied once, by `period`.
        return queryset

    @property
    def period(self) -> Period:
        """Dates given win over the year; a missing bound is the year's."""
        data = self.form.cleaned_data if self.is_valid() else {}
        year = int(data.get("year") or timezone.localdate().year)
        start = data.get("date_from") or dt.date(year, 1, 1)
        end = data.get("date_to") or dt.date(year, 12, 31)
        if data.get("date_from") and not data.get("date_to"):
            end = max(end, start)
        return Period(start, end)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        period = self.period
        return queryset.filter(
            validated_at__gte=day_start(period.start), validated_at__lt=day_start(period.end + dt.timedelta(days=1))
        )
