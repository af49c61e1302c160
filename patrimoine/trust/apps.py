from django.apps import AppConfig


class TrustConfig(AppConfig):
    name = "patrimoine.trust"
    label = "trust"
    verbose_name = "Confiance (journal d'audit, sauvegardes, données personnelles)"
