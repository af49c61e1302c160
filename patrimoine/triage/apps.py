from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TriageConfig(AppConfig):
    name = "patrimoine.triage"
    label = "triage"
    verbose_name = _("IA frugale : aide au tri des demandes")
    default_auto_field = "django.db.models.BigAutoField"
