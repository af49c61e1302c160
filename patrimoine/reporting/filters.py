"""The filters of every dashboard: those of the cost overview (year or dates, commune, trade) plus
the type of building, so that « the cost per m² of each school » is one choice away."""

import django_filters
from django.utils.translation import gettext_lazy as _

from patrimoine.assets.models import Building
from patrimoine.costs.filters import CostFilter
from patrimoine.reporting.selectors import Scope

GRANULARITIES = (("mois", _("par mois")), ("trimestre", _("par trimestre")))


class ReportFilter(CostFilter):
    erp_type = django_filters.ChoiceFilter(
        label=_("Type d'établissement"),
        field_name="building__erp_type",
        choices=Building.ErpType.choices,
        empty_label=_("Tous"),
    )

    def scope(self, access) -> Scope:
        data = self.form.cleaned_data if self.is_valid() else {}
        organisation = data.get("organisation")
        trade = data.get("trade")
        return Scope(
            access=access,
            period=self.period,
            organisation_id=organisation.pk if organisation else None,
            trade_id=trade.pk if trade else None,
            erp_type=data.get("erp_type") or "",
        )
