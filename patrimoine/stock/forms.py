"""Forms of the stock pages. Quantities and prices are typed the French way (« 2,5 », « 1 250,50 »)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from patrimoine.costs.forms import FrenchDecimalField


class ItemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.label} ({obj.reference}) — {obj.unit}"


class ReceiptForm(forms.Form):
    item = ItemChoiceField(label=_("Article"), queryset=None, empty_label=_("— Choisir un article —"))
    quantity = FrenchDecimalField(label=_("Quantité reçue"), positive=True)
    unit_price = FrenchDecimalField(
        label=_("Prix unitaire (€ HT)"), min_value=0, help_text=_("Le prix de la livraison : il recalcule le CUMP.")
    )
    supplier = forms.ModelChoiceField(
        label=_("Fournisseur"), queryset=None, required=False, empty_label=_("— Non précisé —")
    )
    document_reference = forms.CharField(label=_("N° de bon de livraison ou de facture"), max_length=60, required=False)
    note = forms.CharField(label=_("Commentaire"), max_length=200, required=False)

    def __init__(self, *args, items, suppliers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items
        self.fields["supplier"].queryset = suppliers


class TransferForm(forms.Form):
    item = ItemChoiceField(label=_("Article"), queryset=None, empty_label=_("— Choisir un article —"))
    to_store = forms.ModelChoiceField(label=_("Vers le magasin"), queryset=None, empty_label=_("— Choisir —"))
    quantity = FrenchDecimalField(label=_("Quantité"), positive=True)
    note = forms.CharField(label=_("Commentaire"), max_length=200, required=False)

    def __init__(self, *args, items, stores, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items
        self.fields["to_store"].queryset = stores


class CountForm(forms.Form):
    """One optional counted quantity per stock row shown (blank: not counted)."""

    note = forms.CharField(label=_("Commentaire de l'inventaire"), max_length=200, required=False)

    def __init__(self, *args, levels, **kwargs):
        super().__init__(*args, **kwargs)
        self.levels = list(levels)
        for level in self.levels:
            self.fields[self.key(level)] = FrenchDecimalField(
                label=_("Quantité comptée : %(item)s") % {"item": level.item.label},
                required=False,
                min_value=0,
                widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "size": 6}),
            )

    @staticmethod
    def key(level) -> str:
        return f"compte-{level.item_id}"

    def rows(self):
        for level in self.levels:
            yield level, self[self.key(level)]

    def counted(self) -> dict:
        return {
            level.item: self.cleaned_data[self.key(level)]
            for level in self.levels
            if self.cleaned_data.get(self.key(level)) is not None
        }


class ThresholdForm(forms.Form):
    store = forms.ModelChoiceField(label=_("Magasin"), queryset=None)
    threshold = FrenchDecimalField(
        label=_("Seuil de réapprovisionnement"), required=False, min_value=0, help_text=_("Vide : pas d'alerte.")
    )

    def __init__(self, *args, stores, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = stores


class ItemForm(forms.Form):
    reference = forms.CharField(label=_("Référence"), max_length=40)
    label = forms.CharField(label=_("Désignation"), max_length=200)
    unit = forms.CharField(label=_("Unité"), max_length=20, initial="u", help_text=_("u, m, m², l, kg…"))
    category = forms.CharField(label=_("Famille"), max_length=80, required=False)
    is_active = forms.BooleanField(label=_("Au catalogue"), required=False, initial=True)


class SupplierReferenceForm(forms.Form):
    supplier = forms.ModelChoiceField(label=_("Fournisseur"), queryset=None, empty_label=_("— Choisir —"))
    supplier_reference = forms.CharField(label=_("Référence chez le fournisseur"), max_length=60)
    last_price = FrenchDecimalField(label=_("Prix (€ HT)"), required=False, min_value=0)

    def __init__(self, *args, suppliers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supplier"].queryset = suppliers


class StoreForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=20)
    name = forms.CharField(label=_("Nom"), max_length=120)
    site = forms.ModelChoiceField(
        label=_("Site"), queryset=None, required=False, empty_label=_("— Magasin de la collectivité —")
    )

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites


class StockSettingsForm(forms.Form):
    allow_negative_stock = forms.BooleanField(
        label=_("Autoriser le stock négatif"),
        required=False,
        help_text=_("Une sortie peut dépasser la quantité en stock ; l'écart est régularisé par une entrée."),
    )
