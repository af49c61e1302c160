"""Forms of preventive maintenance (French labels); the rules themselves are checked by the services."""

from datetime import date, datetime, time

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from patrimoine.assets.models import AssetStatus, Building, Equipment, EquipmentCategory
from patrimoine.contractors.models import Contractor
from patrimoine.core.errors import DomainError
from patrimoine.organisations.models import Team, Trade
from patrimoine.workorders.models import WorkOrder

from .models import MaintenancePlan, StatutoryCheck
from .recurrence import MONTHS, PARIS, rule_build, rule_parts, rule_validate

FREQUENCIES = [("YEARLY", _("an(s)")), ("MONTHLY", _("mois")), ("WEEKLY", _("semaine(s)")), ("DAILY", _("jour(s)"))]
MONTH_CHOICES = [("", _("— le mois de la première échéance —"))] + [
    (str(n), name.capitalize()) for n, name in enumerate(MONTHS, start=1)
]


class PlanForm(forms.Form):
    name = forms.CharField(label=_("Intitulé"), max_length=200)
    building = forms.ModelChoiceField(
        label=_("Bâtiment"),
        queryset=Building.objects.none(),
        required=False,
        help_text=_("Pour une catégorie d'équipement : laisser vide pour toute la collectivité."),
    )
    equipment = forms.ChoiceField(label=_("Équipement (facultatif)"), required=False)
    category = forms.ModelChoiceField(
        label=_("Ou tous les équipements de la catégorie"),
        queryset=EquipmentCategory.objects.order_by("name"),
        required=False,
    )
    statutory_check = forms.ModelChoiceField(
        label=_("Contrôle réglementaire (facultatif)"),
        queryset=StatutoryCheck.objects.filter(is_active=True).order_by("position"),
        required=False,
    )
    trigger = forms.ChoiceField(
        label=_("Déclenchement"),
        choices=MaintenancePlan.Trigger.choices,
        initial=MaintenancePlan.Trigger.CALENDAR,
        widget=forms.RadioSelect,
    )
    interval = forms.IntegerField(label=_("Tous les"), min_value=1, max_value=120, initial=1, required=False)
    frequency = forms.ChoiceField(label=_("Unité"), choices=FREQUENCIES, initial="YEARLY", required=False)
    month = forms.ChoiceField(label=_("En (pour une périodicité annuelle)"), choices=MONTH_CHOICES, required=False)
    first_due = forms.DateField(
        label=_("Première échéance"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    at_time = forms.TimeField(
        label=_("Heure"),
        initial=time(8, 0),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    rrule = forms.CharField(
        label=_("Règle avancée (RRULE, facultatif)"),
        max_length=250,
        required=False,
        help_text=_("Remplace la périodicité ci-dessus, p. ex. FREQ=MONTHLY;BYDAY=1MO (le premier lundi du mois)."),
    )
    lead_days = forms.IntegerField(
        label=_("Créer le bon de travail combien de jours avant ?"), min_value=0, max_value=365, initial=30
    )
    meter_unit = forms.CharField(label=_("Unité du compteur"), max_length=40, required=False)
    meter_every = forms.DecimalField(label=_("Entretien tous les"), max_digits=12, decimal_places=2, required=False)
    meter_origin = forms.DecimalField(
        label=_("Valeur au dernier entretien"), max_digits=12, decimal_places=2, required=False, initial=0
    )
    meter_lead = forms.DecimalField(
        label=_("Déclencher en avance de"), max_digits=12, decimal_places=2, required=False, initial=0
    )
    trade = forms.ModelChoiceField(label=_("Corps de métier"), queryset=Trade.objects.order_by("name"))
    team = forms.ModelChoiceField(label=_("Équipe"), queryset=Team.objects.none(), required=False)
    contractor = forms.ModelChoiceField(label=_("Ou prestataire"), queryset=Contractor.objects.none(), required=False)
    priority = forms.ChoiceField(
        label=_("Priorité des bons"), choices=WorkOrder.Priority.choices, initial=WorkOrder.Priority.NORMAL
    )
    estimated_hours = forms.DecimalField(
        label=_("Durée estimée (heures)"), max_digits=6, decimal_places=2, required=False, min_value=0
    )
    estimated_cost = forms.DecimalField(
        label=_("Coût estimé (€)"), max_digits=12, decimal_places=2, required=False, min_value=0
    )
    checklist = forms.CharField(
        label=_("Liste de contrôle (un point par ligne)"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    description = forms.CharField(label=_("Consignes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.fields["building"].queryset = Building.objects.filter(organisation=organisation).order_by("name")
        equipment = (
            Equipment.objects.filter(organisation=organisation, building__isnull=False)
            .exclude(status=AssetStatus.ARCHIVED)
            .select_related("building")
            .order_by("building__name", "name", "code")
        )
        groups: dict = {}
        self._equipment = {}
        for item in equipment:
            self._equipment[str(item.pk)] = item
            groups.setdefault(item.building.name, []).append((str(item.pk), f"{item.name} ({item.code})"))
        self.fields["equipment"].choices = [("", _("— aucun : tout le bâtiment —")), *groups.items()]
        self.fields["team"].queryset = (
            Team.objects.filter(Q(organisation=organisation) | Q(served_organisations=organisation))
            .distinct()
            .order_by("name")
        )
        self.fields["contractor"].queryset = Contractor.objects.filter(organisation=organisation).order_by("name")

    def clean_equipment(self):
        value = self.cleaned_data.get("equipment")
        return self._equipment.get(value) if value else None

    def clean(self):
        data = super().clean()
        if data.get("trigger") == MaintenancePlan.Trigger.CALENDAR:
            first_due = data.get("first_due")
            if first_due is None:
                self.add_error("first_due", _("Indiquez la date de la première échéance."))
                return data
            try:
                if data.get("rrule"):
                    data["rrule"] = rule_validate(data["rrule"])
                else:
                    data["rrule"] = rule_build(
                        frequency=data.get("frequency") or "YEARLY",
                        interval=data.get("interval") or 1,
                        month=int(data["month"]) if data.get("month") else None,
                        start=first_due,
                    )
            except DomainError as error:
                self.add_error("rrule", error.message)
            data["dtstart"] = datetime.combine(first_due, data.get("at_time") or time(8, 0), tzinfo=PARIS)
        else:
            data["dtstart"] = None
            data["rrule"] = ""
        return data

    def service_fields(self) -> dict:
        data = self.cleaned_data
        names = (
            "name building equipment category statutory_check trigger rrule dtstart lead_days meter_unit "
            "meter_every meter_origin meter_lead trade team contractor priority estimated_hours estimated_cost "
            "checklist description"
        ).split()
        values = {name: data.get(name) for name in names}
        values["meter_origin"] = values["meter_origin"] or 0
        values["meter_lead"] = values["meter_lead"] or 0
        return values

    @classmethod
    def initial_for(cls, plan: MaintenancePlan) -> dict:
        initial = {
            name: getattr(plan, name)
            for name in (
                "name lead_days meter_unit meter_every meter_origin meter_lead priority estimated_hours "
                "estimated_cost checklist description trigger"
            ).split()
        }
        initial.update(
            building=plan.building_id,
            equipment=str(plan.equipment_id) if plan.equipment_id else "",
            category=plan.category_id,
            statutory_check=plan.statutory_check_id,
            trade=plan.trade_id,
            team=plan.team_id,
            contractor=plan.contractor_id,
        )
        if plan.dtstart is not None:
            local = plan.dtstart.astimezone(PARIS)
            initial.update(first_due=local.date(), at_time=local.time().replace(second=0, microsecond=0))
            simple = _simple_rule(plan.rrule, local.date())
            if simple is None:
                initial["rrule"] = plan.rrule
            else:
                initial.update(simple)
        return initial


def _simple_rule(rule: str, start: date) -> dict | None:
    """The form's fields for a rule the form could have built, else None (shown as an advanced rule)."""
    parts = rule_parts(rule)
    frequency, interval, month = parts.get("FREQ"), int(parts.get("INTERVAL", "1") or 1), parts.get("BYMONTH", "")
    if frequency not in dict(FREQUENCIES):
        return None
    rebuilt = rule_build(
        frequency=frequency, interval=interval, month=int(month) if month.isdigit() else None, start=start
    )
    if rebuilt != rule_validate(rule):
        return None
    return {"frequency": frequency, "interval": interval, "month": month if frequency == "YEARLY" else ""}


class ReadingForm(forms.Form):
    value = forms.DecimalField(label=_("Relevé du compteur"), max_digits=12, decimal_places=2, min_value=0)
    note = forms.CharField(label=_("Remarque"), max_length=200, required=False)


class FindingForm(forms.Form):
    description = forms.CharField(label=_("Réserve"), widget=forms.Textarea(attrs={"rows": 3}))
    equipment = forms.ModelChoiceField(
        label=_("Équipement concerné"), queryset=Equipment.objects.none(), required=False
    )
    priority = forms.ChoiceField(
        label=_("Priorité du bon correctif"), choices=WorkOrder.Priority.choices, initial=WorkOrder.Priority.NORMAL
    )

    def __init__(self, *args, building=None, **kwargs):
        super().__init__(*args, **kwargs)
        if building is not None:
            self.fields["equipment"].queryset = Equipment.objects.filter(building=building).order_by("name")


class ReportForm(forms.Form):
    file = forms.FileField(label=_("Rapport de vérification (PDF)"))
    title = forms.CharField(label=_("Titre (facultatif)"), max_length=200, required=False)


class PreferenceForm(forms.Form):
    overdue_alerts = forms.BooleanField(label=_("M'alerter par courriel des contrôles en retard"), required=False)
    weekly_digest = forms.BooleanField(label=_("Recevoir la synthèse hebdomadaire (le lundi)"), required=False)


class CatalogueForm(forms.Form):
    """One checkbox and one first due date per proposed check (fields named after the check's code)."""

    def __init__(self, *args, proposals, default_due: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.proposals = proposals
        for proposal in proposals:
            if proposal.existing_plan is not None:
                continue
            code = proposal.check.code
            self.fields[f"check_{code}"] = forms.BooleanField(
                label=proposal.check.label, required=False, initial=proposal.ticked
            )
            self.fields[f"due_{code}"] = forms.DateField(
                label=_("Première échéance"),
                required=False,
                initial=default_due,
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            )

    def rows(self, *, no_equipment: bool = False):
        for proposal in self.proposals:
            if proposal.no_equipment != no_equipment:
                continue
            code = proposal.check.code
            if proposal.existing_plan is None:
                yield proposal, self[f"check_{code}"], self[f"due_{code}"]
            else:
                yield proposal, None, None

    def other_rows(self):
        return list(self.rows(no_equipment=True))

    def main_rows(self):
        return list(self.rows())

    def chosen(self) -> list[tuple]:
        chosen = []
        for proposal in self.proposals:
            code = proposal.check.code
            if proposal.existing_plan is None and self.cleaned_data.get(f"check_{code}"):
                chosen.append((proposal.check, self.cleaned_data.get(f"due_{code}")))
        return chosen
