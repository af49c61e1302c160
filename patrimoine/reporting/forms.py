"""The annual report's choice: which collectivité (among those the user reads) and which year."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patrimoine.organisations.models import Organisation

FIRST_YEAR = 2015


class AnnualReportForm(forms.Form):
    organisation = forms.TypedChoiceField(label=_("Collectivité"), coerce=int)
    year = forms.TypedChoiceField(label=_("Année"), coerce=int)

    def __init__(self, *args, access, **kwargs):
        super().__init__(*args, **kwargs)
        # Read once: the choices and the chosen one come from the same query.
        self.organisations = {
            organisation.pk: organisation
            for organisation in Organisation.objects.filter(pk__in=access.read_org_ids).order_by("name")
        }
        self.fields["organisation"].choices = [(pk, org.name) for pk, org in self.organisations.items()]
        self.fields["organisation"].initial = access.organisation.pk if access.organisation else None
        this_year = timezone.localdate().year
        self.fields["year"].choices = [(y, str(y)) for y in range(this_year, FIRST_YEAR - 1, -1)]
        self.fields["year"].initial = this_year - 1 if timezone.localdate().month < 4 else this_year

    def clean_organisation(self) -> Organisation:
        return self.organisations[self.cleaned_data["organisation"]]
