"""Forms of the work-order pages. Rules live in the services: forms only parse and label."""

import copy

from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from patrimoine.assets.models import Building, Equipment
from patrimoine.organisations.models import Organisation, Trade
from patrimoine.workorders import selectors
from patrimoine.workorders.models import WorkOrder

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format=DATETIME_FORMAT)


class VersionForm(forms.Form):
    """Every write on an order carries the version the user saw (optimistic locking)."""

    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages={"required": _("Version manquante : rechargez la page.")},
    )


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.username


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.username


class WorkOrderForm(forms.Form):
    """Create (manual order) or edit what an order is about. The place: a building and, optionally,
    one of its equipment items (the list follows the chosen building)."""

    organisation = forms.ModelChoiceField(
        label=_("Collectivité"), queryset=Organisation.objects.none(), empty_label=None
    )
    title = forms.CharField(label=_("Intitulé"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    kind = forms.ChoiceField(label=_("Nature"), choices=WorkOrder.Kind.choices, initial=WorkOrder.Kind.CORRECTIVE)
    trade = forms.ModelChoiceField(label=_("Corps de métier"), queryset=Trade.objects.all())
    priority = forms.ChoiceField(
        label=_("Priorité"), choices=WorkOrder.Priority.choices, initial=WorkOrder.Priority.NORMAL
    )
    due_date = forms.DateField(label=_("Échéance"), required=False, widget=DateInput)
    building = forms.ModelChoiceField(
        label=_("Bâtiment"), queryset=Building.objects.none(), required=False, empty_label=_("— Aucun —")
    )
    equipment = forms.ModelChoiceField(
        label=_("Équipement"),
        queryset=Equipment.objects.none(),
        required=False,
        empty_label=_("— Aucun —"),
        help_text=_("La liste montre les équipements du bâtiment choisi."),
    )
    location_text = forms.CharField(
        label=_("Lieu précis ou adresse"),
        max_length=250,
        required=False,
        help_text=_("Par exemple : cantine, sous l'évier ; ou une adresse pour l'espace public."),
    )
    checklist = forms.CharField(
        label=_("Points de contrôle"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Un point par ligne, par exemple « Couper l'eau »."),
    )

    def __init__(self, *args, access, work_order: WorkOrder | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.work_order = work_order
        if work_order is not None:
            del self.fields["organisation"]
            del self.fields["checklist"]
            self.fields["version"] = copy.deepcopy(VersionForm.base_fields["version"])
            org_ids = [work_order.organisation_id]
        else:
            org_ids = sorted(access.write_org_ids)
            self.fields["organisation"].queryset = Organisation.objects.filter(pk__in=org_ids).order_by("name")
            self.fields["organisation"].initial = (
                access.organisation.pk
                if access.organisation is not None and access.organisation.pk in access.write_org_ids
                else org_ids[0]
            )
            if len(org_ids) == 1:
                self.fields["organisation"].widget = forms.HiddenInput()
                self.fields["organisation"].initial = org_ids[0]
        organisation_id = (
            work_order.organisation_id if work_order is not None else self._chosen_organisation_id(org_ids)
        )
        self.fields["building"].queryset = Building.objects.filter(organisation_id=organisation_id).order_by("name")
        building_id = self._chosen_building_id()
        self.fields["equipment"].queryset = (
            Equipment.objects.filter(building_id=building_id).order_by("name")
            if building_id
            else Equipment.objects.none()
        )

    def _chosen_organisation_id(self, org_ids: list[int]):
        """The places offered are those of the organisation chosen (the one acted for, by default)."""
        value = self.data.get(self.add_prefix("organisation")) if self.is_bound else None
        try:
            if value and int(value) in org_ids:
                return int(value)
        except ValueError:
            pass
        return self.fields["organisation"].initial

    def _chosen_building_id(self):
        if self.is_bound:
            value = self.data.get(self.add_prefix("building"))
            try:
                return self.fields["building"].queryset.filter(pk=value).values_list("pk", flat=True).first()
            except (ValueError, ValidationError):  # a malformed id chooses nothing
                return None
        initial = self.initial.get("building")
        return getattr(initial, "pk", initial)

    def clean_checklist(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get("checklist", "").splitlines() if line.strip()]


class PlanForm(VersionForm):
    """Give the order to a team (and some of its technicians) or to a contractor, with a slot."""

    team = forms.ModelChoiceField(label=_("Équipe"), queryset=None, required=False, empty_label=_("— Aucune —"))
    technicians = PeopleChoiceField(
        label=_("Techniciens"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Membres de l'équipe choisie."),
    )
    contractor = forms.ModelChoiceField(
        label=_("Prestataire"), queryset=None, required=False, empty_label=_("— Aucun —")
    )
    planned_start = forms.DateTimeField(
        label=_("Début prévu"), required=False, widget=DateTimeInput, input_formats=[DATETIME_FORMAT]
    )
    planned_end = forms.DateTimeField(
        label=_("Fin prévue"), required=False, widget=DateTimeInput, input_formats=[DATETIME_FORMAT]
    )
    due_date = forms.DateField(label=_("Échéance"), required=False, widget=DateInput)

    def __init__(self, *args, access, work_order: WorkOrder, **kwargs):
        super().__init__(*args, **kwargs)
        teams = selectors.teams_serving(work_order)
        self.fields["team"].queryset = teams
        if not self.is_bound and not self.initial.get("team"):
            # An order nobody took yet: propose the planner's own team when it serves the order.
            own = [team.pk for team in teams if team.pk in access.team_ids]
            self.initial["team"] = own[0] if own else None
        self.fields["team"].label_from_instance = lambda t: (
            t.name if t.organisation_id == work_order.organisation_id else f"{t.name} ({t.organisation})"
        )
        self.fields["technicians"].queryset = selectors.technicians_of_teams(teams.values_list("pk", flat=True))
        self.fields["contractor"].queryset = selectors.contractors_for(work_order, access)

    def clean(self):
        data = super().clean()
        if not data.get("team") and not data.get("contractor"):
            raise forms.ValidationError(_("Choisissez une équipe ou un prestataire."))
        return data


class SlotForm(VersionForm):
    """Plan an order on one technician's half day (the planning grid, by drag and drop or by this form)."""

    team = forms.ModelChoiceField(queryset=None, widget=forms.HiddenInput)
    technician = PersonChoiceField(label=_("Technicien"), queryset=None, empty_label=None)
    day = forms.DateField(label=_("Jour"), widget=forms.Select)
    slot = forms.ChoiceField(label=_("Demi-journée"), choices=[(k, v[0]) for k, v in selectors.SLOTS.items()])
    from_technician = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, teams, team=None, days=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        if team is None and self.is_bound:
            try:
                team = teams.filter(pk=self.data.get(self.add_prefix("team"))).first()
            except (ValueError, ValidationError):  # a malformed id chooses nothing
                team = None
        self.fields["technician"].queryset = selectors.technicians_of_teams([team.pk] if team else [])
        self.fields["day"].widget.choices = [(day.isoformat(), date_format(day, "l j F").capitalize()) for day in days]

    def clean(self):
        data = super().clean()
        team, technician = data.get("team"), data.get("technician")
        if team and technician and not team.members.filter(user=technician).exists():
            raise forms.ValidationError(_("Ce technicien ne fait pas partie de l'équipe."))
        return data

    def slot_bounds(self):
        return selectors.slot_bounds(self.cleaned_data["day"], self.cleaned_data["slot"])


class TransitionForm(VersionForm):
    to = forms.ChoiceField(choices=WorkOrder.Status.choices, widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Motif"), max_length=300, required=False)
    suspension_reason = forms.ChoiceField(
        label=_("Motif de suspension"),
        choices=[("", _("— Choisir —")), *WorkOrder.SuspensionReason.choices],
        required=False,
    )


class ReportForm(VersionForm):
    notes = forms.CharField(
        label=_("Compte rendu"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text=_("Ce qui a été constaté et fait, ce qui reste à faire."),
    )
    signed_by_name = forms.CharField(
        label=_("Signé sur place par"),
        max_length=150,
        required=False,
        help_text=_("Nom de la personne qui a constaté l'intervention (gardien, directeur…)."),
    )


class PhotoForm(VersionForm):
    file = forms.FileField(
        label=_("Photo ou document"),
        help_text=_("JPEG, PNG, WebP ou PDF."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf"}),
    )
    title = forms.CharField(label=_("Légende"), max_length=200, required=False)


class ChecklistToggleForm(VersionForm):
    done = forms.TypedChoiceField(choices=[("1", "1"), ("0", "0")], coerce=lambda v: v == "1")
