from django.apps import AppConfig


class FieldConfig(AppConfig):
    name = "patrimoine.field"
    label = "field"
    verbose_name = "Application terrain"
