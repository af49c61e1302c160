from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReversibilityConfig(AppConfig):
    name = "patrimoine.reversibility"
    label = "reversibility"
    verbose_name = _("Réversibilité")
    default_auto_field = "django.db.models.BigAutoField"
