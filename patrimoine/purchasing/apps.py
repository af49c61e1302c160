from django.apps import AppConfig


class PurchasingConfig(AppConfig):
    name = "patrimoine.purchasing"
    label = "purchasing"
    verbose_name = "Achats (marchés, bons de commande, factures)"
