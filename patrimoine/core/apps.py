from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "patrimoine.core"
    label = "core"
    verbose_name = "Socle"
