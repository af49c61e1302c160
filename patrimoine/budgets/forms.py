"""Forms of the budget pages."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patrimoine.budgets.models import BudgetLine
from patrimoine.costs.forms import FrenchDecimalField
from patrimoine.organisations.models import Trade


class BudgetLineForm(forms.Form):
    year = forms.IntegerField(label=_("Exercice"), min_value=2000, max_value=2100)
    section = forms.ChoiceField(label=_("Section"), choices=BudgetLine.Section.choices)
    code = forms.CharField(
        label=_("Code"), max_length=30, help_text=_("Chapitre-article-fonction, ex. « 011-615221 ».")
    )
    label = forms.CharField(label=_("Libellé"), max_length=200)
    amount = FrenchDecimalField(label=_("Crédits ouverts (€ TTC)"), min_value=0)
    alert_threshold = FrenchDecimalField(
        label=_("Seuil d'alerte (%)"),
        min_value=1,
        initial="90",
        help_text=_("Alerte quand engagé + réalisé l'atteint."),
    )
    trade = forms.ModelChoiceField(
        label=_("Corps de métier"),
        queryset=Trade.objects.all(),
        required=False,
        empty_label=_("— Tous —"),
        help_text=_("Les bons de travail de ce métier y sont imputés."),
    )
    building = forms.ModelChoiceField(
        label=_("Bâtiment"),
        queryset=None,
        required=False,
        empty_label=_("— Tous —"),
        help_text=_("Les bons de travail de ce bâtiment y sont imputés."),
    )
    is_default = forms.BooleanField(
        label=_("Ligne par défaut de la section"),
        required=False,
        help_text=_("Reçoit les bons de travail qu'aucune autre ligne ne prend."),
    )

    def __init__(self, *args, buildings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["building"].queryset = buildings
        if not self.is_bound:
            self.initial.setdefault("year", timezone.localdate().year)


class LineChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} — {obj.label} ({obj.get_section_display().lower()} {obj.year})"


class ImputationForm(forms.Form):
    budget_line = LineChoiceField(
        label=_("Ligne budgétaire"),
        queryset=None,
        required=False,
        empty_label=_("— Règle automatique (bâtiment, métier, ligne par défaut) —"),
    )

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["budget_line"].queryset = lines
