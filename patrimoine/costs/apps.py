from django.apps import AppConfig


class CostsConfig(AppConfig):
    name = "patrimoine.costs"
    label = "costs"
    verbose_name = "Coûts"
