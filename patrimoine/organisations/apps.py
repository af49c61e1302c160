from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "patrimoine.organisations"
    label = "organisations"
    verbose_name = "Collectivités"
