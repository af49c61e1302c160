"""A kept offline entry of Venansault, for the project's tenant isolation matrix
(`patrimoine/core/tests/test_isolation_matrix.py`): its pages must answer 403/404 to everyone else."""

import uuid

from django_scopes import scopes_disabled

from patrimoine.field.models import OfflineConflict, SyncOperation


def venansault_conflict(o: dict, secret: str) -> OfflineConflict:
    order = o["order"]
    with scopes_disabled():
        technician = order.technicians.first()
        operation = SyncOperation.objects.create(
            id=uuid.uuid4(),
            organisation_id=order.organisation_id,
            user=technician,
            kind=SyncOperation.Kind.TIME,
            work_order=order,
            outcome=SyncOperation.Outcome.CONFLICT,
            message=f"Conservée {secret}",
        )
        return OfflineConflict.objects.create(
            organisation_id=order.organisation_id,
            operation=operation,
            work_order=order,
            technician=technician,
            kind=SyncOperation.Kind.TIME,
            summary=f"2 h {secret}",
            reason=f"Annulé {secret}",
            payload={"date": "2026-01-05", "hours": "2"},
        )
