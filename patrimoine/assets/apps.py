from django.apps import AppConfig


class AssetsConfig(AppConfig):
    name = "patrimoine.assets"
    label = "assets"
    verbose_name = "Patrimoine"
