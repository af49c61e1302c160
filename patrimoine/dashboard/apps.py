from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "patrimoine.dashboard"
    label = "dashboard"
    verbose_name = "Accueil"
