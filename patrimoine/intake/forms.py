"""Forms of the request pages: filing a request and the three triage decisions."""

from datetime import time

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from patrimoine.core.errors import DomainError
from patrimoine.intake import selectors
from patrimoine.intake.models import Urgency
from patrimoine.intake.services import MAX_PHOTOS, PRIORITY_OF_URGENCY, photos_check
from patrimoine.organisations.models import Trade
from patrimoine.workorders.models import WorkOrder
from patrimoine.workorders.selectors import SLOTS, slot_bounds

# Plain-language urgency choices, most pressing first: (value, label, hint).
URGENCY_OPTIONS = [
    (
        Urgency.URGENT,
        _("Urgent"),
        _(
            "Danger, ou le bâtiment ne peut plus fonctionner : grosse fuite, plus de chauffage, "
            "porte qui ne ferme plus."
        ),
    ),
    (Urgency.NORMAL, _("Normal"), _("À régler dans les prochains jours.")),
    (Urgency.LOW, _("Peut attendre"), _("Une gêne légère, à faire quand l'équipe passera.")),
]


class Form(forms.Form):
    """Labels without the trailing colon (the design system puts them above the field)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Several photos in one input; each is checked from its content by the documents service."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*", "multiple": True}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        files = [super(MultiplePhotoField, self).clean(file, initial) for file in files]
        try:
            return photos_check(files)
        except DomainError as error:
            raise forms.ValidationError(error.message) from error


def building_label(building, *, with_commune: bool) -> str:
    return f"{building.name} — {building.organisation.name}" if with_commune else building.name


def building_choices(buildings, *, several_communes: bool) -> list:
    """Her usual buildings first, then the others grouped by commune (when she sees several)."""
    mine = [b for b in buildings if b.is_mine]
    others = [b for b in buildings if not b.is_mine]
    if not mine or not others:  # nothing to put first
        mine, others = [], list(buildings)
    choices: list = [("", _("— Choisissez le bâtiment —"))]
    if mine:
        choices.append(
            (_("Mes bâtiments"), [(str(b.pk), building_label(b, with_commune=several_communes)) for b in mine])
        )
    if several_communes:
        groups: dict[str, list] = {}
        for b in others:
            groups.setdefault(b.organisation.name, []).append((str(b.pk), b.name))
        choices.extend(groups.items())
    elif mine:
        choices.append((_("Autres bâtiments"), [(str(b.pk), b.name) for b in others]))
    else:
        choices.extend((str(b.pk), b.name) for b in others)
    return choices


class WorkRequestForm(Form):
    """« Signaler un problème ». The building's equipment and rooms are offered once it is known."""

    building = forms.ChoiceField(label=_("Bâtiment"), required=False)
    space = forms.ChoiceField(label=_("Pièce ou local (facultatif)"), required=False)
    equipment = forms.ChoiceField(label=_("Équipement concerné (facultatif)"), required=False)
    location_text = forms.CharField(
        label=_("Endroit précis"),
        required=False,
        max_length=250,
        help_text=_("Par exemple « cantine, sous l'évier ». Sans bâtiment : l'adresse ou la rue."),
    )
    description = forms.CharField(
        label=_("Décrivez le problème"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Que se passe-t-il ? Depuis quand ? Y a-t-il un danger ?"),
        error_messages={"required": _("Décrivez le problème : que se passe-t-il, et où exactement ?")},
    )
    urgency = forms.ChoiceField(
        label=_("Urgence"),
        choices=[(value, label) for value, label, _hint in URGENCY_OPTIONS],
        initial=Urgency.NORMAL,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choisissez l'urgence du problème.")},
    )
    photos = MultiplePhotoField(
        label=_("Photos (facultatif)"),
        required=False,
        help_text=_("Jusqu'à %(max)d photos, 10 Mo chacune au plus.") % {"max": MAX_PHOTOS},
    )

    def __init__(self, *args, access, building_id=None, equipment_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.access = access
        self.buildings = selectors.buildings_for_request(access)
        self.buildings_by_id = {str(b.pk): b for b in self.buildings}
        self.several_communes = len({b.organisation_id for b in self.buildings}) > 1
        self.fields["building"].choices = building_choices(self.buildings, several_communes=self.several_communes)
        # With htmx, choosing the building refreshes its equipment and rooms (same view, partial answer).
        self.fields["building"].widget.attrs.update(
            {
                "hx-get": reverse("intake:create"),
                "hx-trigger": "change",
                "hx-target": "#location-details",
                "hx-swap": "innerHTML",
            }
        )
        if self.is_bound:
            building = self.buildings_by_id.get(str(self.data.get(self.add_prefix("building"), "")))
        else:
            building = self.buildings_by_id.get(str(building_id)) if building_id else None
            mine = [b for b in self.buildings if b.is_mine]
            if building is None and len(mine) == 1:
                building = mine[0]
            if building is not None:
                self.initial["building"] = str(building.pk)
        self.set_building(building)
        if not self.is_bound and equipment_id and any(str(e.pk) == str(equipment_id) for e in self.equipment_list):
            self.initial["equipment"] = str(equipment_id)

    def set_building(self, building) -> None:
        """Offer the equipment and rooms of `building` (the one chosen, or pre-selected)."""
        self.building_obj = building
        self.equipment_list = selectors.equipment_of_building(building)
        self.space_list = selectors.spaces_of_building(building)
        self.fields["equipment"].choices = [("", _("— Aucun en particulier —"))] + [
            (str(e.pk), f"{e.name} ({e.code})" + (f" — {e.space.name}" if e.space_id else ""))
            for e in self.equipment_list
        ]
        self.fields["space"].choices = [("", _("— Aucune en particulier —"))] + [
            (str(s.pk), f"{s.name} ({s.level.name})") for s in self.space_list
        ]

    def clean_building(self):
        value = self.cleaned_data.get("building")
        return self.buildings_by_id.get(value) if value else None

    def clean_equipment(self):
        value = self.cleaned_data.get("equipment")
        return next((e for e in self.equipment_list if str(e.pk) == value), None) if value else None

    def clean_space(self):
        value = self.cleaned_data.get("space")
        return next((s for s in self.space_list if str(s.pk) == value), None) if value else None

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("building") and not cleaned.get("location_text", "").strip():
            self.add_error(
                "building", _("Choisissez le bâtiment, ou décrivez l'endroit dans « Endroit précis » (adresse, rue…).")
            )
        return cleaned

    def urgency_options(self):
        """(value, label, hint, checked) for the radio buttons with their plain-language hints."""
        current = self["urgency"].value() or Urgency.NORMAL
        return [(value, label, hint, value == current) for value, label, hint in URGENCY_OPTIONS]


# --- Triage -------------------------------------------------------------------------------------


def _clock(moment: time) -> str:
    """time(13, 30) → « 13 h 30 », time(8, 0) → « 8 h »."""
    return f"{moment.hour} h {moment.minute:02d}" if moment.minute else f"{moment.hour} h"


class AcceptForm(Form):
    """Accept, with corrections: every field is optional, the suggestion fills the blanks."""

    trade = forms.ModelChoiceField(
        label=_("Corps de métier"), queryset=Trade.objects.order_by("name"), required=False, empty_label=None
    )
    priority = forms.ChoiceField(label=_("Priorité"), choices=WorkOrder.Priority.choices, required=False)
    team = forms.ChoiceField(label=_("Équipe (facultatif)"), required=False)
    technicians = forms.MultipleChoiceField(
        label=_("Techniciens (facultatif)"), required=False, widget=forms.CheckboxSelectMultiple
    )
    day = forms.DateField(
        label=_("Jour d'intervention (facultatif)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    slot = forms.ChoiceField(
        label=_("Créneau"),
        choices=[(code, f"{label} ({_clock(start)} – {_clock(end)})") for code, (label, start, end) in SLOTS.items()],
        initial="matin",
        required=False,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, work_request, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.teams = list(teams)
        self.fields["team"].choices = [("", _("— Ne pas planifier maintenant —"))] + [
            (str(t.pk), t.name if t.organisation_id == work_request.organisation_id else f"{t.name} ({t.organisation})")
            for t in self.teams
        ]
        technician_choices = []
        for team in self.teams:
            members = [(str(m.user_id), f"{m.user} — {m.trade or team.name}") for m in team.members.all()]
            if members:
                technician_choices.append((team.name, members))
        self.fields["technicians"].choices = technician_choices
        self.technicians_by_id = {str(m.user_id): m.user for t in self.teams for m in t.members.all()}
        trade = work_request.suggested_trade
        if trade is not None:
            self.initial.setdefault("trade", trade.pk)
        else:
            self.fields["trade"].empty_label = _("— Choisissez —")
        self.initial.setdefault("priority", PRIORITY_OF_URGENCY.get(work_request.urgency, WorkOrder.Priority.NORMAL))

    def clean_team(self):
        value = self.cleaned_data.get("team")
        return next((t for t in self.teams if str(t.pk) == value), None) if value else None

    def clean_technicians(self):
        return [self.technicians_by_id[pk] for pk in self.cleaned_data.get("technicians", [])]

    def clean(self):
        cleaned = super().clean()
        day, slot = cleaned.get("day"), cleaned.get("slot") or "matin"
        cleaned["planned_start"] = cleaned["planned_end"] = None
        if day is not None:
            cleaned["planned_start"], cleaned["planned_end"] = slot_bounds(day, slot)
        return cleaned


class RejectForm(Form):
    reason = forms.CharField(
        label=_("Motif du rejet"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Le demandeur le lira, par exemple « relève du bailleur ». Soyez clair et courtois."),
        error_messages={"required": _("Indiquez le motif du rejet : le demandeur le lira.")},
    )


class MergeForm(Form):
    into = forms.ChoiceField(
        label=_("Demande qui signale déjà ce problème"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choisissez la demande qui signale déjà ce problème.")},
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = list(candidates)
        self.fields["into"].choices = [(str(c.pk), c.reference) for c in self.candidates]

    def clean_into(self):
        value = self.cleaned_data.get("into")
        return next((c for c in self.candidates if str(c.pk) == value), None)
