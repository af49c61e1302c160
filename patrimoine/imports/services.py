"""Writes of the import app: upload a file, choose the column mapping (saved per source), check it
(a dry run), queue the real import, and run it in the worker.

Nothing is written to the registry before `job_run`, which writes every row or none.
"""

from django.db import connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from patrimoine.core.errors import DomainError, PermissionRefused
from patrimoine.core.services import audit_record
from patrimoine.imports import importer
from patrimoine.imports.cells import normalise
from patrimoine.imports.models import ColumnMapping, ImportJob, Kind
from patrimoine.imports.reading import read_table
from patrimoine.imports.schema import guess_mapping
from patrimoine.organisations.access import Access


def _require(access: Access, organisation, kind: str) -> None:
    if kind not in Kind.values:
        raise DomainError(_("Type de données inconnu."))
    if not importer.may_import(access, organisation, kind):
        raise PermissionRefused(_("Votre rôle ne permet pas cet import pour cette collectivité."))


def saved_mapping(organisation, kind: str, name: str) -> ColumnMapping:
    found = ColumnMapping._base_manager.filter(organisation=organisation, kind=kind, name=name.strip()).first()
    if found is None:
        raise DomainError(_("Aucune correspondance enregistrée ne s'appelle « %(name)s ».") % {"name": name})
    return found


@transaction.atomic
def job_create(*, access: Access, kind: str, filename: str, content: bytes, mapping_name: str = "") -> ImportJob:
    """Read the uploaded file (refused with a French message if unreadable) and guess the mapping."""
    organisation = access.organisation
    _require(access, organisation, kind)
    table = read_table(content, filename)
    saved = saved_mapping(organisation, kind, mapping_name).columns if mapping_name else None
    job = ImportJob._base_manager.create(
        organisation=organisation,
        kind=kind,
        filename=filename[:200],
        content=content,
        file_format=table.file_format,
        encoding=table.encoding,
        delimiter=table.delimiter,
        headers=table.headers,
        mapping=guess_mapping(kind, table.headers, saved),
        rows_total=len(table.rows),
        created_by=access.user,
    )
    return job


@transaction.atomic
def job_check(*, access: Access, job: ImportJob, mapping: dict[str, str], save_as: str = "") -> ImportJob:
    """Apply the mapping (and save it under `save_as` for the next files of this source), then queue
    the dry run of the whole file (`job_verify`, in the worker: a big file takes minutes)."""
    from patrimoine.imports.tasks import verify_import

    _require(access, job.organisation, job.kind)
    if job.status not in (ImportJob.Status.UPLOADED, ImportJob.Status.CHECKED):
        raise DomainError(_("Cet import a déjà été lancé."))
    mapping = {index: key for index, key in mapping.items() if key}
    importer.check_mapping(job.kind, job.headers, mapping)
    if save_as.strip():
        columns = {normalise(job.headers[int(index)]): key for index, key in mapping.items()}
        ColumnMapping._base_manager.update_or_create(
            organisation=job.organisation, kind=job.kind, name=save_as.strip()[:80], defaults={"columns": columns}
        )
    ImportJob._base_manager.filter(pk=job.pk).update(
        mapping=mapping, status=ImportJob.Status.CHECKING, rows_done=0, errors=[], counts={}, started_at=None
    )
    job.refresh_from_db()
    transaction.on_commit(lambda: verify_import.enqueue(job_id=str(job.pk)))
    return job


def job_verify(job_id) -> ImportJob:
    """The dry run (in the worker): every row goes through the import's code in a transaction that is
    rolled back; the error report, the preview and what would be created are kept on the job."""
    job = ImportJob._base_manager.select_related("organisation", "created_by").get(pk=job_id)
    if job.status != ImportJob.Status.CHECKING:
        return job
    return _execute(job, commit=False)


@transaction.atomic
def job_queue(*, access: Access, job: ImportJob) -> ImportJob:
    """Queue the real import for the worker, once the dry run found no error."""
    from patrimoine.imports.tasks import run_import

    _require(access, job.organisation, job.kind)
    if job.status != ImportJob.Status.CHECKED:
        raise DomainError(_("Vérifiez le fichier avant de lancer l'import."))
    if job.errors:
        raise DomainError(_("Corrigez les erreurs du fichier avant de lancer l'import : rien n'a été enregistré."))
    ImportJob._base_manager.filter(pk=job.pk).update(status=ImportJob.Status.QUEUED, rows_done=0)
    job.status = ImportJob.Status.QUEUED
    audit_record(actor=access.user, action="import.queue", target=job, message=job.filename)
    transaction.on_commit(lambda: run_import.enqueue(job_id=str(job.pk)))
    return job


def job_run(job_id) -> ImportJob:
    """Run a queued import (in the worker): every row or none, progress kept on the job row."""
    job = ImportJob._base_manager.select_related("organisation", "created_by").get(pk=job_id)
    if job.status != ImportJob.Status.QUEUED:
        return job
    ImportJob._base_manager.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)
    return _execute(job, commit=True)


def _execute(job: ImportJob, *, commit: bool) -> ImportJob:
    """Read the stored file and run it through the importer as the job's author (checked again now:
    they may have lost their role since they uploaded it)."""
    from patrimoine.organisations.access import access_for_user

    ImportJob._base_manager.filter(pk=job.pk).update(started_at=timezone.now(), rows_done=0)
    access = access_for_user(job.created_by, job.organisation_id) if job.created_by else None
    progress, close = _progress_writer(job)
    try:
        if access is None or access.organisation is None or access.organisation.pk != job.organisation_id:
            raise PermissionRefused(_("L'auteur de cet import n'agit plus pour cette collectivité."))
        table = read_table(bytes(job.content), job.filename)
        outcome = importer.run(
            access=access,
            organisation=job.organisation,
            kind=job.kind,
            table=table,
            mapping=job.mapping,
            commit=commit,
            on_progress=progress,
        )
    except DomainError as exc:
        _finish(job, status=ImportJob.Status.FAILED, failure=exc.message)
        job.refresh_from_db()
        return job
    except Exception:
        _finish(job, status=ImportJob.Status.FAILED, failure=_("Erreur inattendue : rien n'a été enregistré."))
        raise
    finally:
        close()
    if not commit:
        _finish(
            job,
            status=ImportJob.Status.CHECKED,
            errors=[error.as_dict() for error in outcome.errors],
            preview=outcome.preview,
            counts=dict(outcome.counts),
            rows_total=outcome.rows,
            rows_done=outcome.rows,
        )
    elif outcome.committed:
        _finish(  # the file's content is dropped once imported: the registry holds the data now
            job,
            status=ImportJob.Status.DONE,
            counts=dict(outcome.counts),
            rows_done=outcome.rows,
            errors=[],
            content=b"",
        )
        audit_record(actor=job.created_by, action="import.done", target=job, data=dict(outcome.counts))
    else:  # the data changed since the dry run: report it, nothing was written
        _finish(
            job,
            status=ImportJob.Status.FAILED,
            errors=[error.as_dict() for error in outcome.errors],
            failure=_("Des lignes sont devenues invalides depuis la vérification : rien n'a été enregistré."),
        )
    job.refresh_from_db()
    return job


def _finish(job: ImportJob, **fields) -> None:
    ImportJob._base_manager.filter(pk=job.pk).update(finished_at=timezone.now(), **fields)


def _progress_writer(job: ImportJob):
    """The import runs in one transaction, whose writes nobody sees before the end: on PostgreSQL the
    progress goes through a second connection (autocommit) so the status page can show it. SQLite
    allows a single writer, so there the page shows the phase only (en cours → terminé)."""
    if connection.vendor != "postgresql":
        return (lambda done: None), (lambda: None)
    side = connections.create_connection("default")
    table = ImportJob._meta.db_table

    def write(done: int) -> None:
        with side.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET rows_done = %s WHERE id = %s", [done, job.pk])  # noqa: S608

    return write, side.close
