from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MaintenanceConfig(AppConfig):
    name = "patrimoine.maintenance"
    label = "maintenance"
    verbose_name = _("Maintenance préventive et contrôles réglementaires")
    default_auto_field = "django.db.models.BigAutoField"
