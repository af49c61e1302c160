from django import forms
from django.utils.translation import gettext_lazy as _

from patrimoine.organisations.models import Membership, Organisation


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        help_text=_("Les 6 chiffres affichés par votre application d'authentification, ou un code de secours."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}),
        error_messages={"required": _("Saisissez le code.")},
    )


class EnrolForm(forms.Form):
    code = forms.CharField(
        label=_("Code affiché par l'application"),
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
        error_messages={"required": _("Saisissez le code à 6 chiffres.")},
    )


class ApproveIdentityForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Collectivité"), queryset=Organisation.objects.filter(is_active=True).order_by("name")
    )
    role = forms.ChoiceField(label=_("Rôle"), choices=Membership.Role.choices)
