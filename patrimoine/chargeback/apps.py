from django.apps import AppConfig


class ChargebackConfig(AppConfig):
    name = "patrimoine.chargeback"
    label = "chargeback"
    verbose_name = "Refacturation"
