from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "patrimoine.api"
    label = "api"
    verbose_name = "API REST"
