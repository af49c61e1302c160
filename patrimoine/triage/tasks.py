"""Background jobs of the triage assistant (run by `manage.py db_worker`).

`train_all_models` is enqueued every night by the maintenance scheduler; `train_organisation_model`
by the administrator's « Entraîner maintenant » button."""

import logging

from django.tasks import task
from django_scopes import scopes_disabled

from patrimoine.organisations.models import Organisation
from patrimoine.triage import services
from patrimoine.triage.models import OrganisationModel

logger = logging.getLogger(__name__)


@task
def train_organisation_model(organisation_id: int) -> dict:
    try:
        return services.organisation_model_train(organisation_id)
    except Exception as exc:
        with scopes_disabled():
            OrganisationModel.objects.filter(organisation_id=organisation_id).update(
                status=OrganisationModel.Status.FAILED, last_error=str(exc)[:500]
            )
        raise


@task
def train_all_models() -> dict:
    """Retrain every organisation whose AI is on (those with too short a history keep the starter)."""
    with scopes_disabled():
        off = set(OrganisationModel.objects.filter(enabled=False).values_list("organisation_id", flat=True))
        ids = [pk for pk in Organisation.objects.values_list("pk", flat=True) if pk not in off]
    results = {}
    for organisation_id in ids:
        results[str(organisation_id)] = services.organisation_model_train(organisation_id)
    logger.info("Triage models trained: %s", results)
    return results
