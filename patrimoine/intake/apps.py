from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "patrimoine.intake"
    label = "intake"
    verbose_name = "Demandes d'intervention"
