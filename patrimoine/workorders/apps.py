from django.apps import AppConfig


class WorkordersConfig(AppConfig):
    name = "patrimoine.workorders"
    label = "workorders"
    verbose_name = "Bons de travail"
