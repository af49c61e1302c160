"""Venansault's finished export, for the tenant isolation matrix (core/tests): its archive must
answer 403/404 to everyone else, the EPCI's administrator included."""

from django.core.files.base import ContentFile
from django_scopes import scopes_disabled

from patrimoine.reversibility.models import TenantExport


@scopes_disabled()
def venansault_export(o: dict, secret: str) -> TenantExport:
    export = TenantExport(organisation=o["venansault"], status=TenantExport.Status.DONE, percent=100)
    export.archive.save("archive.zip", ContentFile(f"archive {secret}".encode()), save=False)
    export.save()
    return export
