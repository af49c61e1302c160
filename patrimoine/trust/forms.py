from django import forms
from django.utils.translation import gettext_lazy as _


class PersonForm(forms.Form):
    email = forms.EmailField(
        label=_("Adresse électronique de la personne"),
        help_text=_("Celle qu'elle a donnée en déposant ses demandes."),
    )
    confirm = forms.BooleanField(
        label=_("Je confirme l'effacement : nom, courriel et téléphone seront retirés de ses demandes."),
        required=False,
    )
