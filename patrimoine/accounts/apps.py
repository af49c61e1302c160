from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "patrimoine.accounts"
    label = "accounts"
    verbose_name = "Comptes"
