"""Background jobs of the trust app, run by `manage.py db_worker` and queued by the scheduler."""

from django.tasks import task

from patrimoine.trust import privacy


@task
def anonymise_expired_personal_data() -> dict:
    """Daily: blank the requester's identity on requests past their retention period."""
    done = privacy.anonymise_expired_requests()
    return {"organisations": len(done), "rows": sum(done.values())}
