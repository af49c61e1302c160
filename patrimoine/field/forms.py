"""Shapes of what the field app sends: one form per kind of operation (JSON) and per upload (multipart).

They only check the shape (a number where a number is expected, a known status…), with French
messages; the rules themselves (closed order, rate of the year, catalogue…) stay in the services.
"""

import base64
import binascii
import io
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from patrimoine.field.models import SyncOperation
from patrimoine.intake.models import Urgency
from patrimoine.workorders.models import WorkOrder

Kind = SyncOperation.Kind
Status = WorkOrder.Status

JSON_KINDS = (Kind.TIME, Kind.MATERIAL, Kind.CHECKLIST, Kind.REPORT, Kind.SIGNATURE, Kind.STATUS)
SIGNATURE_MAX_BYTES = 300 * 1024
REQUIRED = {"required": _("Ce champ est obligatoire.")}


class OperationForm(forms.Form):
    """The envelope every queued operation has: its UUID, its kind and its work order."""

    id = forms.UUIDField(error_messages={**REQUIRED, "invalid": _("Identifiant d'opération invalide.")})
    type = forms.ChoiceField(
        choices=[(kind.value, kind.label) for kind in JSON_KINDS],
        error_messages={**REQUIRED, "invalid_choice": _("Type d'opération inconnu.")},
    )
    order = forms.UUIDField(error_messages={**REQUIRED, "invalid": _("Bon de travail invalide.")})


class TimeForm(forms.Form):
    date = forms.DateField(error_messages={**REQUIRED, "invalid": _("Date invalide.")})
    hours = forms.DecimalField(
        min_value=Decimal("0.01"),
        max_value=Decimal("24"),
        max_digits=6,
        decimal_places=2,
        error_messages={
            **REQUIRED,
            "invalid": _("Le temps saisi doit être un nombre d'heures."),
            "min_value": _("Le temps saisi doit être compris entre 0,01 et 24 heures."),
            "max_value": _("Le temps saisi doit être compris entre 0,01 et 24 heures."),
            "max_digits": _("Le temps saisi doit être compris entre 0,01 et 24 heures."),
            "max_decimal_places": _("Indiquez le temps à la minute près (deux décimales)."),
        },
    )


class MaterialForm(forms.Form):
    item = forms.UUIDField(required=False, error_messages={"invalid": _("Article invalide.")})
    label = forms.CharField(required=False, max_length=200)
    quantity = forms.DecimalField(
        min_value=Decimal("0.001"),
        max_digits=10,
        decimal_places=3,
        error_messages={
            **REQUIRED,
            "invalid": _("Indiquez une quantité positive."),
            "min_value": _("Indiquez une quantité positive."),
            "max_digits": _("Quantité trop grande."),
            "max_decimal_places": _("Indiquez la quantité avec trois décimales au plus."),
        },
    )
    unit = forms.CharField(required=False, max_length=20)

    def clean(self):
        data = super().clean()
        if not data.get("item") and not (data.get("label") or "").strip():
            raise forms.ValidationError(_("Choisissez un article du catalogue ou saisissez une désignation."))
        return data


class ChecklistForm(forms.Form):
    item = forms.UUIDField(error_messages={**REQUIRED, "invalid": _("Point de contrôle invalide.")})
    done = forms.BooleanField(required=False)


class ReportForm(forms.Form):
    notes = forms.CharField(
        required=False,
        max_length=10000,
        strip=True,
        error_messages={"max_length": _("Le compte rendu est trop long (10 000 caractères au plus).")},
    )


class SignatureForm(forms.Form):
    signed_by_name = forms.CharField(
        max_length=150, error_messages={"required": _("Indiquez le nom de la personne qui signe.")}
    )
    image = forms.CharField(error_messages={"required": _("La signature est vide.")})

    def clean_image(self) -> bytes:
        value = self.cleaned_data["image"]
        prefix = "data:image/png;base64,"
        if not value.startswith(prefix):
            raise forms.ValidationError(_("La signature doit être une image PNG."))
        try:
            data = base64.b64decode(value[len(prefix) :], validate=True)
        except (binascii.Error, ValueError) as exc:
            raise forms.ValidationError(_("La signature est illisible.")) from exc
        if len(data) > SIGNATURE_MAX_BYTES:
            raise forms.ValidationError(_("La signature est trop lourde."))
        try:
            with Image.open(io.BytesIO(data)) as picture:
                if picture.format != "PNG":
                    raise forms.ValidationError(_("La signature doit être une image PNG."))
                picture.verify()
        except (UnidentifiedImageError, OSError, SyntaxError) as exc:
            raise forms.ValidationError(_("La signature est illisible.")) from exc
        return data


class StatusForm(forms.Form):
    to = forms.ChoiceField(
        choices=[(s.value, s.label) for s in (Status.IN_PROGRESS, Status.SUSPENDED, Status.DONE)],
        error_messages={
            **REQUIRED,
            "invalid_choice": _("Ce changement de statut n'est pas possible depuis le terrain."),
        },
    )
    suspension_reason = forms.ChoiceField(
        required=False,
        choices=[("", "—"), *WorkOrder.SuspensionReason.choices],
        error_messages={"invalid_choice": _("Motif de suspension inconnu.")},
    )
    reason = forms.CharField(required=False, max_length=300)

    def clean(self):
        data = super().clean()
        if data.get("to") == Status.SUSPENDED and not data.get("suspension_reason"):
            raise forms.ValidationError(_("Indiquez pourquoi le bon est suspendu (pièces, accès ou prestataire)."))
        return data


OPERATION_FORMS = {
    Kind.TIME: TimeForm,
    Kind.MATERIAL: MaterialForm,
    Kind.CHECKLIST: ChecklistForm,
    Kind.REPORT: ReportForm,
    Kind.SIGNATURE: SignatureForm,
    Kind.STATUS: StatusForm,
}


class PhotoForm(forms.Form):
    id = forms.UUIDField(error_messages={**REQUIRED, "invalid": _("Identifiant d'opération invalide.")})
    order = forms.UUIDField(error_messages={**REQUIRED, "invalid": _("Bon de travail invalide.")})
    title = forms.CharField(required=False, max_length=200)
    file = forms.FileField(error_messages={"required": _("Aucune photo reçue."), "empty": _("La photo est vide.")})


class ProblemReportForm(forms.Form):
    """« Signaler autre chose »: a new work request from the field (photos come as `photos`)."""

    id = forms.UUIDField(error_messages={**REQUIRED, "invalid": _("Identifiant d'opération invalide.")})
    description = forms.CharField(
        max_length=4000,
        error_messages={
            "required": _("Décrivez le problème : que se passe-t-il, et où exactement ?"),
            "max_length": _("La description est trop longue (4 000 caractères au plus)."),
        },
    )
    urgency = forms.ChoiceField(
        choices=Urgency.choices, error_messages={**REQUIRED, "invalid_choice": _("Choisissez l'urgence du problème.")}
    )
    building = forms.UUIDField(required=False, error_messages={"invalid": _("Bâtiment invalide.")})
    equipment = forms.UUIDField(required=False, error_messages={"invalid": _("Équipement invalide.")})
    location_text = forms.CharField(required=False, max_length=200)
    latitude = forms.DecimalField(required=False, min_value=-90, max_value=90, decimal_places=6, max_digits=9)
    longitude = forms.DecimalField(required=False, min_value=-180, max_value=180, decimal_places=6, max_digits=10)
    accuracy = forms.IntegerField(required=False, min_value=0)


class ConflictResolveForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("reintegrer", _("Réintégrer au bon")), ("classer", _("Classer"))],
        error_messages={**REQUIRED, "invalid_choice": _("Choisissez une décision.")},
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=300, widget=forms.TextInput)


def errors_text(form: forms.Form) -> str:
    """A form's errors as one French sentence, e.g. for an operation's answer."""
    return " ".join(str(error) for errors in form.errors.values() for error in errors)
