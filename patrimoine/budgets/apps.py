from django.apps import AppConfig


class BudgetsConfig(AppConfig):
    name = "patrimoine.budgets"
    label = "budgets"
    verbose_name = "Budgets"
