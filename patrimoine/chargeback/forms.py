"""Forms of charge-back: choosing a commune and a period (draft), issuing, the reconciliation period."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patrimoine.chargeback.selectors import quarter, quarter_label, quarter_of, recent_quarters
from patrimoine.costs.selectors import Period
from patrimoine.organisations.models import Organisation

OTHER = "autre"
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def _quarter_key(period: Period) -> str:
    year, number = quarter_of(period.start)
    return f"{year}-T{number}"


def _parse_quarter(key: str) -> Period | None:
    try:
        year, number = key.split("-T")
        year, number = int(year), int(number)
    except ValueError:
        return None
    if not (2000 <= year <= 2100 and 1 <= number <= 4):
        return None
    return quarter(year, number)


class PeriodForm(forms.Form):
    """A quarter from a short list, or any dates (« Autre période »)."""

    trimestre = forms.ChoiceField(label=_("Période"), required=False)
    debut = forms.DateField(label=_("Du"), required=False, widget=DateInput, input_formats=DATE_FORMATS)
    fin = forms.DateField(label=_("Au"), required=False, widget=DateInput, input_formats=DATE_FORMATS)

    def __init__(self, *args, quarters: int = 6, include_current: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        choices = [(_quarter_key(period), label) for label, period in recent_quarters(today, quarters)]
        if include_current:
            year, number = quarter_of(today)
            choices.insert(0, (f"{year}-T{number}", _("%(label)s (en cours)") % {"label": quarter_label(year, number)}))
        self.fields["trimestre"].choices = [*choices, (OTHER, _("Autre période (dates ci-dessous)"))]
        self.default_quarter = choices[1][0] if include_current else choices[0][0]
        self.fields["trimestre"].initial = self.default_quarter

    def period_or_default(self) -> Period:
        """The period asked for, or the default quarter when the form is empty or invalid."""
        if self.is_bound and self.is_valid():
            return self.cleaned_data["period"]
        return _parse_quarter(self.default_quarter)

    def clean(self):
        data = super().clean()
        start, end = data.get("debut"), data.get("fin")
        key = data.get("trimestre") or ""
        if key == OTHER or (not key and (start or end)):
            if not start or not end:
                raise forms.ValidationError(_("Indiquez le début et la fin de la période."))
            if end < start:
                self.add_error("fin", _("La fin de la période doit suivre son début."))
                return data
            data["period"] = Period(start, end)
        else:
            data["period"] = _parse_quarter(key or self.default_quarter) or _parse_quarter(self.default_quarter)
        return data


class DraftForm(PeriodForm):
    commune = forms.ModelChoiceField(
        label=_("Commune"), queryset=Organisation.objects.none(), empty_label=_("Choisissez une commune")
    )

    field_order = ["commune", "trimestre", "debut", "fin"]

    def __init__(self, *args, communes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = communes


class IssueForm(forms.Form):
    """The hidden fields of the « Émettre » button: exactly what the draft showed."""

    commune = forms.ModelChoiceField(queryset=Organisation.objects.none(), widget=forms.HiddenInput)
    debut = forms.DateField(widget=forms.HiddenInput, input_formats=DATE_FORMATS)
    fin = forms.DateField(widget=forms.HiddenInput, input_formats=DATE_FORMATS)
    empreinte = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, communes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = communes

    @property
    def period(self) -> Period:
        return Period(self.cleaned_data["debut"], self.cleaned_data["fin"])
