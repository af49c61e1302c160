"""Background job: the real import, run by the database-backed worker (`manage.py db_worker`)."""

from django.tasks import task

from patrimoine.imports import services


@task
def verify_import(job_id: str) -> dict:
    job = services.job_verify(job_id)
    return {"status": job.status, "counts": job.counts, "errors": len(job.errors)}


@task
def run_import(job_id: str) -> dict:
    job = services.job_run(job_id)
    return {"status": job.status, "counts": job.counts, "errors": len(job.errors)}
