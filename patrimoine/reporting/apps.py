from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "patrimoine.reporting"
    label = "reporting"
    verbose_name = "Tableaux de bord et rapports"
