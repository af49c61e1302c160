"""Forms of the purchasing pages. Amounts typed the French way (« 1 250,50 »)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patrimoine.costs.forms import DateInput, FrenchDecimalField
from patrimoine.purchasing.models import Contract


class LotChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.contract.reference} — lot {obj.number} : {obj.title} ({obj.contractor})"


class BudgetLineChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} — {obj.label} ({obj.get_section_display().lower()} {obj.year})"


class PurchaseOrderForm(forms.Form):
    title = forms.CharField(label=_("Objet de la commande"), max_length=200)
    lot = LotChoiceField(
        label=_("Lot du marché"), queryset=None, required=False, empty_label=_("— Hors marché (prix libres) —")
    )
    contractor = forms.ModelChoiceField(
        label=_("Prestataire"),
        queryset=None,
        required=False,
        empty_label=_("— Le titulaire du lot —"),
        help_text=_("Pour une commande hors marché ; sur un marché, c'est le titulaire du lot."),
    )
    work_order = forms.CharField(
        label=_("Bon de travail"),
        max_length=20,
        required=False,
        help_text=_("Son numéro, par exemple « BT-2026-000123 » (facultatif)."),
    )
    budget_line = BudgetLineChoiceField(
        label=_("Ligne budgétaire"),
        queryset=None,
        required=False,
        empty_label=_("— Celle du bon de travail, sinon la ligne par défaut —"),
    )
    vat_rate = FrenchDecimalField(label=_("Taux de TVA (%)"), min_value=0, initial="20")

    def __init__(self, *args, lots, contractors, budget_lines, creating=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lot"].queryset = lots
        self.fields["contractor"].queryset = contractors
        self.fields["budget_line"].queryset = budget_lines
        if not creating:
            del self.fields["lot"]
            del self.fields["contractor"]

    def clean(self):
        data = super().clean()
        if "lot" in self.fields and not self.errors and data.get("lot") is None and data.get("contractor") is None:
            self.add_error("contractor", _("Choisissez le prestataire (ou un lot de marché)."))
        return data


class PriceLineChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} — {obj.label} ({obj.unit}) : {obj.unit_price} € HT".replace(".", ",")


class OrderLineForm(forms.Form):
    price_line = PriceLineChoiceField(
        label=_("Prix du bordereau (BPU)"), queryset=None, required=False, empty_label=_("— Choisir un prix —")
    )
    label = forms.CharField(label=_("Désignation"), max_length=200, required=False)
    unit = forms.CharField(label=_("Unité"), max_length=20, required=False, initial="u")
    unit_price = FrenchDecimalField(label=_("Prix unitaire (€ HT)"), required=False, min_value=0)
    quantity = FrenchDecimalField(label=_("Quantité"), positive=True)

    def __init__(self, *args, prices=None, **kwargs):
        super().__init__(*args, **kwargs)
        if prices is not None:
            self.fields["price_line"].queryset = prices
            self.fields["price_line"].required = True
            for name in ("label", "unit", "unit_price"):
                del self.fields[name]
        else:
            del self.fields["price_line"]
            self.fields["label"].required = True
            self.fields["unit_price"].required = True


class StatusForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("engager", _("Engager")), ("receptionner", _("Service fait")), ("annuler", _("Annuler"))]
    )
    reason = forms.CharField(label=_("Motif de l'annulation"), max_length=300, required=False)


class InvoiceForm(forms.Form):
    number = forms.CharField(label=_("N° de facture"), max_length=60)
    date = forms.DateField(label=_("Date de la facture"), widget=DateInput, input_formats=["%Y-%m-%d", "%d/%m/%Y"])
    amount_ht = FrenchDecimalField(label=_("Montant HT (€)"), positive=True)
    amount_ttc = FrenchDecimalField(label=_("Montant TTC (€)"), positive=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("date", timezone.localdate())


class ContractForm(forms.Form):
    reference = forms.CharField(label=_("N° de marché"), max_length=40)
    title = forms.CharField(label=_("Objet"), max_length=200)
    procedure = forms.ChoiceField(label=_("Procédure"), choices=Contract.Procedure.choices)
    start_date = forms.DateField(label=_("Début"), widget=DateInput, input_formats=["%Y-%m-%d", "%d/%m/%Y"])
    end_date = forms.DateField(label=_("Fin"), widget=DateInput, input_formats=["%Y-%m-%d", "%d/%m/%Y"])


class LotForm(forms.Form):
    number = forms.IntegerField(label=_("N° de lot"), min_value=1, max_value=999)
    title = forms.CharField(label=_("Intitulé"), max_length=200)
    contractor = forms.ModelChoiceField(label=_("Titulaire"), queryset=None, empty_label=_("— Choisir —"))
    trade = forms.ModelChoiceField(label=_("Corps de métier"), queryset=None, required=False, empty_label=_("—"))
    max_amount_ht = FrenchDecimalField(label=_("Montant maximum (€ HT)"), required=False, positive=True)

    def __init__(self, *args, contractors, trades, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contractor"].queryset = contractors
        self.fields["trade"].queryset = trades


class PriceLineForm(forms.Form):
    code = forms.CharField(label=_("N° de prix"), max_length=20)
    label = forms.CharField(label=_("Désignation"), max_length=200)
    unit = forms.CharField(label=_("Unité"), max_length=20, initial="u")
    unit_price = FrenchDecimalField(label=_("Prix unitaire (€ HT)"), min_value=0)
