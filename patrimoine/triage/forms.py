from django import forms
from django.utils.translation import gettext_lazy as _


class SwitchForm(forms.Form):
    enabled = forms.TypedChoiceField(
        label=_("Assistant de tri"),
        choices=[("1", _("Activé : suggestions, doublons et estimations")), ("0", _("Désactivé : aucune suggestion"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
        error_messages={"required": _("Choisissez activé ou désactivé.")},
    )

    def __init__(self, *args, **kwargs):
        initial = kwargs.get("initial") or {}
        if "enabled" in initial:
            initial["enabled"] = "1" if initial["enabled"] else "0"
        super().__init__(*args, **kwargs)
