from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "patrimoine.demo"
    label = "demo"
    verbose_name = "Données de démonstration"
