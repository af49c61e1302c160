"""Search of the audit trail: who, which object, which action, which period."""

from datetime import datetime, time, timedelta

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patrimoine.core.models import AuditEntry
from patrimoine.organisations.models import Organisation


class AuditFilter(django_filters.FilterSet):
    qui = django_filters.CharFilter(label=_("Qui"), method="filter_actor", help_text=_("Identifiant de l'auteur"))
    objet = django_filters.CharFilter(
        label=_("Objet"), method="filter_object", help_text=_("Type, identifiant ou libellé de l'objet")
    )
    action = django_filters.CharFilter(label=_("Action"), field_name="action", lookup_expr="icontains")
    nature = django_filters.ChoiceFilter(
        label=_("Nature"), field_name="kind", choices=AuditEntry.Kind.choices, empty_label=_("Toutes")
    )
    collectivite = django_filters.ModelChoiceFilter(
        label=_("Collectivité"),
        field_name="organisation",
        queryset=Organisation.objects.none(),
        empty_label=_("Toutes"),
    )
    du = django_filters.DateFilter(
        label=_("Du"), method="filter_from", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    au = django_filters.DateFilter(
        label=_("Au"), method="filter_to", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    class Meta:
        model = AuditEntry
        fields: list[str] = []

    def __init__(self, data=None, *args, access, **kwargs):
        super().__init__(data, *args, **kwargs)
        orgs = Organisation.objects.filter(pk__in=access.read_org_ids).order_by("name")
        if len(access.read_org_ids) > 1:
            self.filters["collectivite"].queryset = orgs
        else:
            del self.filters["collectivite"]

    def filter_actor(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(actor_name__icontains=value) if value else queryset

    def filter_object(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(target_type__icontains=value) | Q(target_id__iexact=value) | Q(message__icontains=value)
        )

    def filter_from(self, queryset, name, value):
        start = timezone.make_aware(datetime.combine(value, time.min))
        return queryset.filter(at__gte=start)

    def filter_to(self, queryset, name, value):
        end = timezone.make_aware(datetime.combine(value + timedelta(days=1), time.min))
        return queryset.filter(at__lt=end)
