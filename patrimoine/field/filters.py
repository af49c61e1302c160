"""Filters of the list of offline entries to settle (django-filter; parameter names are French words)."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from patrimoine.field.models import OfflineConflict

ALL = "toutes"


class ConflictFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Rechercher"),
        method="filter_search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Bon, technicien ou saisie")}),
    )
    statut = django_filters.ChoiceFilter(
        label=_("Statut"),
        choices=[*OfflineConflict.Status.choices, (ALL, _("Toutes"))],
        empty_label=None,
        method="filter_status",
    )

    class Meta:
        model = OfflineConflict
        fields = ["q", "statut"]

    def __init__(self, data=None, *args, **kwargs):
        data = data.copy() if data is not None else {}
        data.setdefault("statut", OfflineConflict.Status.OPEN)
        super().__init__(data, *args, **kwargs)

    def filter_status(self, queryset, name, value):
        return queryset if value == ALL else queryset.filter(status=value)

    def filter_search(self, queryset, name, value):
        for word in value.split():
            queryset = queryset.filter(
                Q(work_order__reference__icontains=word)
                | Q(work_order__title__icontains=word)
                | Q(technician__first_name__icontains=word)
                | Q(technician__last_name__icontains=word)
                | Q(summary__icontains=word)
            )
        return queryset
