from django.apps import AppConfig


class DeployConfig(AppConfig):
    name = "patrimoine.deploy"
    label = "deploy"
    verbose_name = "Mise en production (mises à jour de l'instance)"
