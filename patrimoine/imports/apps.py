from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "patrimoine.imports"
    label = "imports"
    verbose_name = "Reprise de données"
