"""Filters of the plan list and of the compliance view (django-filter)."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from patrimoine.assets.models import Building, search_key
from patrimoine.organisations.models import Organisation, Trade

from .models import MaintenancePlan
from .selectors import Compliance

YES_NO = [("oui", _("Oui")), ("non", _("Non"))]


def _search(queryset, prefix: str, value: str):
    for word in (value or "").split()[:8]:
        folded = search_key(word)
        queryset = queryset.filter(
            Q(**{f"{prefix}name__icontains": word})
            | Q(**{f"{prefix}search_text__contains": folded})
            | Q(**{f"{prefix}code__icontains": word})
        )
    return queryset


class PlanFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Rechercher"), method="filter_q", widget=forms.TextInput(attrs={"type": "search"})
    )
    trade = django_filters.ModelChoiceFilter(
        label=_("Corps de métier"), queryset=Trade.objects.order_by("name"), empty_label=_("Tous")
    )
    trigger = django_filters.ChoiceFilter(
        label=_("Déclenchement"), choices=MaintenancePlan.Trigger.choices, empty_label=_("Tous")
    )
    reglementaire = django_filters.ChoiceFilter(
        label=_("Contrôle réglementaire"), choices=YES_NO, method="filter_statutory", empty_label=_("Tous")
    )
    archives = django_filters.BooleanFilter(
        label=_("Voir les plans archivés"), method="filter_archived", widget=forms.CheckboxInput
    )
    tri = django_filters.OrderingFilter(
        label=_("Trier par"),
        fields=(("name", "nom"), ("building__name", "batiment"), ("created_at", "creation")),
        field_labels={"name": _("Intitulé"), "building__name": _("Bâtiment"), "created_at": _("Date de création")},
        empty_label=None,
    )

    class Meta:
        model = MaintenancePlan
        fields = ["q", "trade", "trigger"]

    def filter_q(self, queryset, name, value):
        words = (value or "").split()[:8]
        for word in words:
            folded = search_key(word)
            queryset = queryset.filter(
                Q(name__icontains=word)
                | Q(building__search_text__contains=folded)
                | Q(equipment__search_text__contains=folded)
                | Q(statutory_check__label__icontains=word)
            )
        return queryset

    def filter_statutory(self, queryset, name, value):
        if value == "oui":
            return queryset.filter(statutory_check__isnull=False)
        if value == "non":
            return queryset.filter(statutory_check__isnull=True)
        return queryset

    def filter_archived(self, queryset, name, value):
        return queryset  # active plans only unless ticked: see qs

    @property
    def qs(self):
        queryset = super().qs
        if not (self.form.is_bound and self.form.is_valid() and self.form.cleaned_data.get("archives")):
            queryset = queryset.filter(is_active=True)
        if not (self.form.is_bound and self.form.is_valid() and self.form.cleaned_data.get("tri")):
            queryset = queryset.order_by("name", "building__name")
        return queryset


class ComplianceFilter(django_filters.FilterSet):
    """On buildings; the status filter is applied to the computed rows (see the view)."""

    q = django_filters.CharFilter(
        label=_("Bâtiment"), method="filter_q", widget=forms.TextInput(attrs={"type": "search"})
    )
    organisation = django_filters.ModelChoiceFilter(
        label=_("Collectivité"), queryset=Organisation.objects.none(), empty_label=_("Toutes")
    )
    statut = django_filters.ChoiceFilter(
        label=_("Situation"),
        choices=[(key, label) for key, label in Compliance.LABELS.items()],
        method="filter_status",
        empty_label=_("Toutes"),
    )

    class Meta:
        model = Building
        fields = ["q", "organisation"]

    def __init__(self, *args, access, **kwargs):
        super().__init__(*args, **kwargs)
        organisations = Organisation.objects.filter(pk__in=access.read_org_ids).order_by("name")
        self.filters["organisation"].queryset = organisations
        if len(access.read_org_ids) < 2:
            del self.filters["organisation"]

    def filter_q(self, queryset, name, value):
        return _search(queryset, "", value)

    def filter_status(self, queryset, name, value):
        return queryset  # computed per building afterwards

    @property
    def status(self) -> str:
        return self.form.cleaned_data.get("statut", "") if self.form.is_valid() else ""
