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


class GrantIdentityForm(forms.Form):
    """Open a pending single sign-on account with a role in the administrator's organisation."""

    role = forms.ChoiceField(
        label=_("Rôle"),
        choices=[("", _("Choisir un rôle")), *Membership.Role.choices],
        error_messages={"required": _("Choisissez le rôle de la personne.")},
    )


class LinkIdentityForm(forms.Form):
    """Tie a pending identity to an existing account of the administrator's organisation."""

    account = forms.ModelChoiceField(label=_("Compte existant"), queryset=None, empty_label=_("Choisir un compte"))

    def __init__(self, *args, accounts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = accounts
        self.fields["account"].label_from_instance = lambda user: (
            f"{user.get_full_name() or user.username} — {user.email or user.username}"
        )
