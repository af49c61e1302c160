"""Forms: the fields of an Open311 POST (checked before anything is written) and the key form."""

import re
from decimal import Decimal

from django import forms
from django.core.validators import RegexValidator, URLValidator
from django.utils.translation import gettext_lazy as _

from patrimoine.intake.models import Urgency
from patrimoine.open311.models import Service
from patrimoine.open311.services import Submission

# Characters no description needs: C0 controls other than tab and line breaks.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# « may contain line breaks, but not html or code » (GeoReport v2): a tag opening is refused.
_TAG = re.compile(r"<\s*/?\s*[A-Za-z!?]")
_SIX_PLACES = Decimal("0.000001")


def _clean_text(value: str, label: str) -> str:
    if _CONTROL.search(value):
        raise forms.ValidationError(_("%(field)s contient des caractères de contrôle.") % {"field": label})
    if _TAG.search(value):
        raise forms.ValidationError(_("%(field)s ne doit pas contenir de HTML ni de code.") % {"field": label})
    return value.strip()


class Open311RequestForm(forms.Form):
    """The fields of POST requests, with the specification's names. Error messages name the
    field as the client sent it (`lat`, `address_string`…)."""

    lat = forms.DecimalField(required=False, min_value=-90, max_value=90, max_digits=20, decimal_places=12)
    long = forms.DecimalField(required=False, min_value=-180, max_value=180, max_digits=20, decimal_places=12)
    address_string = forms.CharField(required=False, max_length=250)
    address_id = forms.CharField(required=False, max_length=30)
    email = forms.EmailField(required=False, max_length=254)
    first_name = forms.CharField(required=False, max_length=70)
    last_name = forms.CharField(required=False, max_length=70)
    phone = forms.CharField(
        required=False,
        max_length=30,
        validators=[RegexValidator(r"^[0-9 +().-]{6,30}$", _("Numéro de téléphone invalide."))],
    )
    description = forms.CharField(required=False, max_length=4000)
    media_url = forms.CharField(required=False, max_length=500, validators=[URLValidator(schemes=["http", "https"])])
    urgence = forms.ChoiceField(required=False, choices=Urgency.choices)
    batiment = forms.CharField(required=False, max_length=30)

    def clean_address_string(self):
        return _clean_text(self.cleaned_data["address_string"], "address_string")

    def clean_description(self):
        return _clean_text(self.cleaned_data["description"], "description")

    def clean_first_name(self):
        return _clean_text(self.cleaned_data["first_name"], "first_name")

    def clean_last_name(self):
        return _clean_text(self.cleaned_data["last_name"], "last_name")

    def clean_address_id(self):
        return _clean_text(self.cleaned_data["address_id"], "address_id")

    def clean_batiment(self):
        return _clean_text(self.cleaned_data["batiment"], "attribute[batiment]")

    def clean(self):
        data = super().clean()
        lat, lon = data.get("lat"), data.get("long")
        if self.errors:
            return data
        if (lat is None) != (lon is None):
            raise forms.ValidationError(_("lat et long vont ensemble : envoyez les deux."))
        if lat is None and not data.get("address_string") and not data.get("address_id") and not data.get("batiment"):
            raise forms.ValidationError(_("Lieu manquant : envoyez lat et long, ou address_string, ou address_id."))
        building_codes = {code for code in (data.get("batiment"), data.get("address_id")) if code}
        if len(building_codes) > 1:
            raise forms.ValidationError(_("attribute[batiment] et address_id désignent deux bâtiments différents."))
        return data

    def submission(self) -> Submission:
        data = self.cleaned_data
        lat, lon = data.get("lat"), data.get("long")
        name = " ".join(part for part in (data["first_name"], data["last_name"]) if part)
        return Submission(
            description=data["description"],
            latitude=lat.quantize(_SIX_PLACES) if lat is not None else None,
            longitude=lon.quantize(_SIX_PLACES) if lon is not None else None,
            address_string=data["address_string"],
            building_code=data["batiment"] or data["address_id"],
            urgency=data["urgence"] or Urgency.NORMAL,
            media_url=data["media_url"],
            name=name,
            email=data["email"],
            phone=data["phone"],
        )

    def error_messages_list(self) -> list[str]:
        """« champ : message » for each error, with the field named as the client sent it."""
        names = {"urgence": "attribute[urgence]", "batiment": "attribute[batiment]"}
        messages = []
        for field, errors in self.errors.items():
            for error in errors:
                messages.append(str(error) if field == "__all__" else f"{names.get(field, field)} : {error}")
        return messages


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label=_("Application"),
        max_length=100,
        help_text=_("Le nom de l'application citoyenne qui utilisera la clé, par exemple « Signalements Vendée »."),
    )


class ServiceForm(forms.ModelForm):
    class Meta:
        model = Service
        fields = ["code", "name", "description", "group", "keywords", "trade", "type", "notice", "position"]
        help_texts = {
            "code": _("Le service_code lu par les applications : lettres minuscules, chiffres et tirets."),
            "keywords": _("Synonymes séparés par des virgules, pour aider l'habitant à trouver le service."),
            "notice": _("Rendu à l'application après chaque signalement, par exemple un délai d'intervention."),
        }
