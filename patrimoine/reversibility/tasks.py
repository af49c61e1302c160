"""Background job (django-tasks-db worker): thin, it calls the service and returns a summary."""

from django.tasks import task

from .services import tenant_export_run


@task
def run_tenant_export(export_id: str) -> dict:
    export = tenant_export_run(export_id=export_id)
    return {"export": str(export.pk), "size": export.size, "sha256": export.sha256}
