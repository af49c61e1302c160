"""Background jobs of the trust app, run by `manage.py db_worker` and queued by the scheduler."""

from django.tasks import task

from patrimoine.trust import privacy


@task
def anonymise_expired_personal_data() -> dict:
    """Daily: blank the requester's identity on requests past their retention period, and delete the
    citizen sign-in identities unused for longer than theirs."""
    done = privacy.anonymise_expired_requests()
    identities = privacy.delete_expired_citizen_identities()
    return {"organisations": len(done), "rows": sum(done.values()), "citizen_identities": identities}
