"""Test helpers of the asset app (kept here rather than in the shared factories)."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django_scopes import scopes_disabled

from patrimoine.workorders.models import WorkOrder

PARIS = ZoneInfo("Europe/Paris")


def validated_order(f, org, *, building, labour="0", material="0", external="0", at: datetime, **extra) -> WorkOrder:
    """A closed, validated order whose cost fields hold together (total = sum, a DB constraint)."""
    labour, material, external = Decimal(labour), Decimal(material), Decimal(external)
    return f.work_order(
        org,
        building_obj=building,
        status=WorkOrder.Status.VALIDATED,
        completed_at=at,
        validated_at=at,
        labour_cost=labour,
        material_cost=material,
        external_cost=external,
        total_cost=labour + material + external,
        **extra,
    )


def paris(year, month, day, hour=10) -> datetime:
    return datetime(year, month, day, hour, tzinfo=PARIS)


@scopes_disabled()
def reload(obj):
    return type(obj)._base_manager.get(pk=obj.pk)
