"""On PostgreSQL the import's progress is visible to other connections while its transaction is open."""

import pytest
from django.db import connection, connections

from patrimoine.imports import importer, services
from patrimoine.imports.models import ImportJob, Kind


@pytest.mark.django_db(transaction=True)
def test_progress_is_seen_by_the_status_page_during_the_import(f, manager, commune, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has a single writer: the page shows the phase only")
    monkeypatch.setattr(importer, "PROGRESS_EVERY", 10)
    content = ("Code bâtiment;Libellé\n" + "".join(f"B{i};Bâtiment {i}\n" for i in range(30))).encode()
    job = ImportJob._base_manager.create(
        organisation=commune,
        kind=Kind.BUILDINGS,
        filename="x.csv",
        content=content,
        file_format="csv",
        headers=["Code bâtiment", "Libellé"],
        mapping={"0": "code", "1": "name"},
        status=ImportJob.Status.QUEUED,
        rows_total=30,
        created_by=manager,
    )
    seen = []
    observer = connections.create_connection("default")
    write = services._progress_writer

    def spying_writer(the_job):
        progress, close = write(the_job)

        def report(done):
            progress(done)
            with observer.cursor() as cursor:  # another session, as the status page's request would be
                cursor.execute("SELECT rows_done FROM imports_importjob WHERE id = %s", [the_job.pk])
                seen.append(cursor.fetchone()[0])
                cursor.execute("SELECT count(*) FROM assets_building")
                seen.append(cursor.fetchone()[0])

        return report, close

    monkeypatch.setattr(services, "_progress_writer", spying_writer)
    try:
        job = services.job_run(job.pk)
    finally:
        observer.close()
    assert job.status == ImportJob.Status.DONE
    assert seen == [10, 0, 20, 0, 30, 0, 30, 30]  # counter visible, rows not yet (one transaction)
