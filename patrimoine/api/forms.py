import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patrimoine.api.models import ApiToken


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Nom du jeton"),
        max_length=80,
        help_text=_("L'outil ou l'usage, pour le reconnaître plus tard (ex. : « SIG », « tableur des finances »)."),
    )
    scope = forms.ChoiceField(label=_("Droits"), choices=ApiToken.Scope.choices, initial=ApiToken.Scope.READ)
    expires_on = forms.DateField(
        label=_("Expire le"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        help_text=_("Au plus un an ; le jeton cesse de fonctionner à la fin de ce jour."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("expires_on", timezone.localdate() + dt.timedelta(days=90))
