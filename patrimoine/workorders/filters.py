"""Filters of the work-order list (django-filter). Parameter names are the French words of the URL."""

import re
import uuid

import django_filters
from django import forms
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from patrimoine.assets.models import AssetStatus, Building, search_key
from patrimoine.core.widgets import CompactSelect
from patrimoine.organisations.models import Organisation, Team, Trade
from patrimoine.workorders.models import WorkOrder

Status = WorkOrder.Status
OPEN = "ouverts"

SORTS = {
    # parameter: (label, ordering)
    "-creation": (_("Plus récents d'abord"), ("-created_at",)),
    "creation": (_("Plus anciens d'abord"), ("created_at",)),
    "echeance": (_("Échéance la plus proche"), (F("due_date").asc(nulls_last=True), "-created_at")),
    "-echeance": (_("Échéance la plus lointaine"), (F("due_date").desc(nulls_last=True), "-created_at")),
    "-priorite": (_("Priorité la plus haute"), ("-priority", F("due_date").asc(nulls_last=True), "-created_at")),
    "priorite": (_("Priorité la plus basse"), ("priority", F("due_date").asc(nulls_last=True), "-created_at")),
}
DEFAULT_SORT = "-creation"
# The start of a reference (« BT-2026-00 »): searched as a prefix, which an index answers at once,
# where the trigrams of « BT-2026 » are in every order of the year.
REFERENCE_START = re.compile(r"^[A-Za-z]{2,3}-\d{4}(-\d*)?$")


def _is_uuid(value) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


BUILDING_CHOICES_MAX = 200


class BuildingPicker(CompactSelect):
    """The buildings in scope as a select while they are few; past BUILDING_CHOICES_MAX (an EPCI that
    reads its communes' thousands of buildings: hundreds of KB of options on every list page), a
    search field matched against the buildings' names and codes."""

    def render(self, name, value, attrs=None, renderer=None):
        choices = list(self.choices)
        if len(choices) <= BUILDING_CHOICES_MAX + 1:  # and « Tous »
            self.choices = choices
            return super().render(name, value, attrs, renderer)
        field = forms.TextInput(attrs={"type": "search", "placeholder": _("Nom ou code du bâtiment")})
        return field.render(name, "" if _is_uuid(value) else value, attrs, renderer)


class WorkOrderFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Rechercher"),
        method="filter_search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Numéro ou intitulé")}),
    )
    statut = django_filters.ChoiceFilter(
        label=_("Statut"),
        choices=[(OPEN, _("Ouverts")), *Status.choices],
        empty_label=_("Tous les statuts"),
        method="filter_status",
    )
    metier = django_filters.ModelChoiceFilter(
        label=_("Corps de métier"),
        field_name="trade",
        queryset=Trade.objects.all(),
        empty_label=_("Tous"),
        widget=CompactSelect,
    )
    priorite = django_filters.ChoiceFilter(
        label=_("Priorité"), field_name="priority", choices=WorkOrder.Priority.choices, empty_label=_("Toutes")
    )
    equipe = django_filters.ModelChoiceFilter(
        label=_("Équipe"),
        field_name="team",
        queryset=Team.objects.none(),
        empty_label=_("Toutes"),
        widget=CompactSelect,
    )
    collectivite = django_filters.ModelChoiceFilter(
        label=_("Collectivité"),
        field_name="organisation",
        queryset=Organisation.objects.none(),
        empty_label=_("Toutes"),
        widget=CompactSelect,
    )
    batiment = django_filters.CharFilter(label=_("Bâtiment"), method="filter_building", widget=BuildingPicker)
    tri = django_filters.ChoiceFilter(
        label=_("Trier par"),
        choices=[(key, label) for key, (label, _ordering) in SORTS.items()],
        empty_label=None,
        method="filter_sort",
    )

    class Meta:
        model = WorkOrder
        fields: list[str] = []

    def __init__(self, data=None, *args, access, queryset, **kwargs):
        data = data.copy() if data is not None else None
        if data is not None:
            data.setdefault("statut", OPEN)
            data.setdefault("tri", DEFAULT_SORT)
        super().__init__(data, *args, queryset=queryset, **kwargs)
        self.access = access
        filters = self.filters
        # Scoped querysets: only what the user's organisations hold.
        # The buildings in scope, not « those with orders »: that semi-join read every order ever
        # written (its cost grew with history). Archived ones only when already chosen.
        chosen = (data or {}).get("batiment") or None
        # (id, name) pairs, not model instances: a big commune lists hundreds of buildings.
        buildings = Building.objects.filter(
            ~Q(status=AssetStatus.ARCHIVED) | Q(pk=chosen if _is_uuid(chosen) else None)
        ).order_by("name")
        if not access.has("assets.view"):  # a contractor: only the buildings of the orders he reads
            buildings = buildings.filter(pk__in=queryset.order_by().values("building_id"))
        filters["batiment"].extra["widget"] = BuildingPicker(
            choices=lambda: [
                ("", _("Tous")),
                *((str(pk), name) for pk, name in buildings.values_list("pk", "name")[: BUILDING_CHOICES_MAX + 1]),
            ]
        )  # read when the form is shown, not for an htmx page of results
        if len(access.read_org_ids) > 1:
            filters["collectivite"].queryset = Organisation.objects.filter(pk__in=access.read_org_ids).order_by("name")
        else:
            del filters["collectivite"]
        if access.contractor_id is None and access.has("workorders.view"):
            filters["equipe"].queryset = Team.objects.order_by("name")
        else:
            del filters["equipe"]

    def filter_building(self, queryset, name, value):
        """One building (its id, from the select) or the buildings whose name or code holds the text."""
        value = value.strip()
        if not value:
            return queryset
        if _is_uuid(value):
            return queryset.filter(building_id=value)
        for word in search_key(value).replace("-", " ").split():  # each word, anywhere in the name or code
            queryset = queryset.filter(building__search_text__contains=word)
        return queryset

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        if REFERENCE_START.match(value):  # « BT-2026-0012 »: the start of a number (a B-tree range)
            return queryset.filter(Q(reference__istartswith=value) | Q(title__icontains=value))
        return queryset.filter(Q(reference__icontains=value) | Q(title__icontains=value))

    def filter_status(self, queryset, name, value):
        if value == OPEN:
            return queryset.filter(status__in=WorkOrder.OPEN_STATUSES)
        return queryset.filter(status=value)

    def filter_sort(self, queryset, name, value):
        return queryset.order_by(*SORTS.get(value, SORTS[DEFAULT_SORT])[1])

    @property
    def sort(self) -> str:
        value = self.form.cleaned_data.get("tri") if self.form.is_valid() else None
        return value or DEFAULT_SORT
