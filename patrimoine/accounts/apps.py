from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "patrimoine.accounts"
    label = "accounts"
    verbose_name = "Comptes"

    def ready(self):
        from patrimoine.accounts import receivers  # noqa: F401  (sign-in hook for the second factor)
