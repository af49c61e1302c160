from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "patrimoine.ops"
    verbose_name = "Exploitation"

    def ready(self):
        from patrimoine.ops.metrics import register_collectors

        register_collectors()
