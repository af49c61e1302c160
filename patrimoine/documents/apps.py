from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "patrimoine.documents"
    label = "documents"
    verbose_name = "Documents"
