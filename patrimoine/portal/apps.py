from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "patrimoine.portal"
    label = "portal"
    verbose_name = "Portail citoyen et accueil"
