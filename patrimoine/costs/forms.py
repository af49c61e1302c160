"""Forms of the cost section: time, material, external cost, labour rate. French input: « 1,75 »,
« 1h45 », « 1 250,50 »."""

import re
import uuid
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patrimoine.organisations.models import TeamMember, Trade

HOURS_ERROR = _("Le temps saisi doit être compris entre 0,01 et 24 heures.")
_HOURS_MINUTES = re.compile(r"^(?:(?P<h>\d{1,2})\s*h(?:eures?)?)?\s*(?:(?P<m>\d{1,3})\s*(?:min(?:utes?)?|mn)?)?$")


def parse_french_decimal(text: str) -> Decimal:
    """« 1 250,50 » or « 1250.50 » → Decimal('1250.50'); raises ValueError."""
    cleaned = re.sub(r"[\s\u00a0\u202f€]", "", text or "").replace(",", ".")
    if not re.fullmatch(r"-?\d+(\.\d+)?|-?\.\d+", cleaned):
        raise ValueError(text)
    try:
        return Decimal(cleaned)
    except InvalidOperation as exc:
        raise ValueError(text) from exc


def parse_hours(text: str) -> Decimal:
    """« 1,75 », « 1.75 », « 1h45 », « 1 h 45 », « 2h », « 45 min » → hours as Decimal (2 places)."""
    text = (text or "").strip().lower()
    if not text:
        raise ValueError(text)
    try:
        return parse_french_decimal(text).quantize(Decimal("0.01"))
    except ValueError:
        pass
    match = _HOURS_MINUTES.match(text)
    if not match or not (match["h"] or match["m"]) or (match["m"] and not match["h"] and "m" not in text):
        raise ValueError(text)
    hours = int(match["h"] or 0)
    minutes = int(match["m"] or 0)
    if match["h"] and minutes >= 60:
        raise ValueError(text)
    return (Decimal(hours) + Decimal(minutes) / 60).quantize(Decimal("0.01"))


class HoursField(forms.CharField):
    default_error_messages = {"invalid": HOURS_ERROR}

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            hours = parse_hours(value)
        except ValueError as exc:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from exc
        if hours <= 0 or hours > 24:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return hours


class FrenchDecimalField(forms.CharField):
    """A decimal typed the French way; a text input with the decimal keypad on phones."""

    def __init__(self, *, min_value: Decimal | None = None, positive: bool = False, **kwargs):
        self.min_value, self.positive = min_value, positive
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            number = parse_french_decimal(value)
        except ValueError as exc:
            message = _("Saisissez un nombre, par exemple «\u00a012,50\u00a0».")
            raise forms.ValidationError(message, code="invalid") from exc
        if self.positive and number <= 0:
            raise forms.ValidationError(_("Saisissez un nombre supérieur à zéro."), code="min_value")
        if self.min_value is not None and number < self.min_value:
            raise forms.ValidationError(_("Saisissez un nombre positif ou nul."), code="min_value")
        return number


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class _LineForm(forms.Form):
    # A fresh id per rendered form: a double click or a replayed post records the line once.
    client_uuid = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("client_uuid", uuid.uuid4())


class TimeEntryForm(_LineForm):
    technician = forms.ChoiceField(label=_("Technicien"))
    date = forms.DateField(label=_("Date"), widget=DateInput, input_formats=["%Y-%m-%d", "%d/%m/%Y"])
    hours = HoursField(
        label=_("Temps passé"),
        help_text=_("Par exemple «\u00a01,75\u00a0» ou «\u00a01h45\u00a0»."),
        widget=forms.TextInput(attrs={"inputmode": "text", "autocomplete": "off", "size": 8}),
    )

    def __init__(self, *args, technicians=(), user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.technicians = {str(t.pk): t for t in technicians}
        self.fields["technician"].choices = [(pk, _technician_label(t)) for pk, t in self.technicians.items()]
        if not self.is_bound:
            self.initial.setdefault("date", timezone.localdate())
            if user is not None and str(user.pk) in self.technicians:
                self.initial.setdefault("technician", str(user.pk))

    def clean_technician(self):
        return self.technicians[self.cleaned_data["technician"]]


def _technician_label(user) -> str:
    member = getattr(user, "team_member", None)
    if member is None:
        return str(user)
    detail = member.get_grade_display() + (f", {member.trade.name.lower()}" if member.trade else "")
    return f"{user} — {detail}"


class ItemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.label} ({obj.reference}) — {obj.unit}"


class MaterialLineForm(_LineForm):
    item = ItemChoiceField(
        label=_("Article du catalogue"),
        queryset=None,
        required=False,
        empty_label=_("— Choisir un article —"),
        error_messages={"invalid_choice": _("Cet article n'est pas au catalogue utilisable pour ce bon.")},
        widget=forms.Select(attrs={"data-costs-items": ""}),
    )
    quantity = FrenchDecimalField(label=_("Quantité"), positive=True)
    label = forms.CharField(label=_("Désignation (hors catalogue)"), required=False, max_length=200)
    unit = forms.CharField(label=_("Unité"), required=False, max_length=20, initial="u")
    unit_cost = FrenchDecimalField(label=_("Coût unitaire (€)"), required=False, min_value=Decimal("0"))
    store = forms.ModelChoiceField(
        label=_("Sorti du magasin"),
        queryset=None,
        required=False,
        empty_label=_("— Pas de sortie de stock (achat direct) —"),
        error_messages={"invalid_choice": _("Ce magasin ne peut pas fournir ce bon.")},
    )

    def __init__(self, *args, items=None, stores=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items
        options = list(stores) if stores is not None else []
        if options:  # the organisation keeps a stock: issuing from the store is the usual way
            self.fields["store"].queryset = stores
            if len(options) == 1 and not self.is_bound:
                self.initial.setdefault("store", options[0].pk)
        else:
            del self.fields["store"]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if data.get("store") is not None and data.get("item") is None:
            self.add_error("item", _("Choisissez un article du catalogue pour une sortie de magasin."))
        if data.get("item") is None:
            if not data.get("label"):
                self.add_error("item", _("Choisissez un article du catalogue (ou saisissez une désignation)."))
            elif data.get("unit_cost") is None:
                self.add_error("unit_cost", _("Indiquez le coût unitaire de cet article hors catalogue."))
        return data


class ExternalCostForm(_LineForm):
    description = forms.CharField(label=_("Objet"), max_length=200)
    contractor = forms.ModelChoiceField(
        label=_("Prestataire"), queryset=None, required=False, empty_label=_("— Aucun ou non référencé —")
    )
    invoice_reference = forms.CharField(label=_("N° de facture"), max_length=60, required=False)
    amount = FrenchDecimalField(label=_("Montant (€)"), positive=True)

    def __init__(self, *args, contractors=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contractor"].queryset = contractors


class LabourRateForm(forms.Form):
    year = forms.IntegerField(label=_("Année"), min_value=2000, max_value=2100)
    grade = forms.ChoiceField(label=_("Grade"), choices=TeamMember.Grade.choices)
    trade = forms.ModelChoiceField(
        label=_("Corps de métier"), queryset=Trade.objects.all(), required=False, empty_label=_("Tous les métiers")
    )
    hourly_rate = FrenchDecimalField(label=_("Taux horaire chargé (€)"), positive=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("year", timezone.localdate().year)


FORM_CLASSES = {"time": TimeEntryForm, "material": MaterialLineForm, "external": ExternalCostForm}
PREFIXES = {"time": "temps", "material": "materiel", "external": "presta"}


def cost_forms(access, costs: dict, *, bound: dict | None = None) -> dict:
    """The add forms of the cost section; `bound` replaces some with posted (invalid) ones."""
    forms_by_kind = {}
    if costs.get("can_report"):
        forms_by_kind["time"] = TimeEntryForm(
            prefix=PREFIXES["time"], technicians=costs["technicians"], user=access.user
        )
        forms_by_kind["material"] = MaterialLineForm(
            prefix=PREFIXES["material"], items=costs["items"], stores=costs.get("stores")
        )
    if costs.get("can_add_external"):
        forms_by_kind["external"] = ExternalCostForm(prefix=PREFIXES["external"], contractors=costs["contractors"])
    forms_by_kind.update(bound or {})
    return forms_by_kind
