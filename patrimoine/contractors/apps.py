from django.apps import AppConfig


class ContractorsConfig(AppConfig):
    name = "patrimoine.contractors"
    label = "contractors"
    verbose_name = "Prestataires"
