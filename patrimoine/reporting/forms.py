"""The annual report's choice: which collectivité (among those the user reads) and which year."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patrimoine.organisations.models import Organisation

FIRST_YEAR = 2015


class AnnualReportForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Collectivité"), queryset=Organisation.objects.none(), empty_label=None
    )
    year = forms.TypedChoiceField(label=_("Année"), coerce=int)

    def __init__(self, *args, access, **kwargs):
        super().__init__(*args, **kwargs)
        organisations = Organisation.objects.filter(pk__in=access.read_org_ids).order_by("name")
        self.fields["organisation"].queryset = organisations
        self.fields["organisation"].initial = access.organisation.pk if access.organisation else None
        this_year = timezone.localdate().year
        self.fields["year"].choices = [(y, str(y)) for y in range(this_year, FIRST_YEAR - 1, -1)]
        self.fields["year"].initial = this_year - 1 if timezone.localdate().month < 4 else this_year
