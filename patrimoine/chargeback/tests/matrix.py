"""A statement that is Venansault's data, for the tenant isolation matrix (core/tests).

Venansault's own team also works for a neighbouring commune and bills it: nobody outside those two
may read the statement. Built through the real service, once per matrix world.
"""

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from django_scopes import scopes_disabled

from patrimoine.chargeback.services import statement_issue
from patrimoine.costs.models import ExternalCost
from patrimoine.costs.selectors import Period
from patrimoine.costs.services import work_order_recompute_costs
from patrimoine.organisations.access import access_for_user
from patrimoine.workorders.models import WorkOrder


def venansault_statement(f, o: dict, secret: str):
    venansault, chef, team = o["venansault"], o["v_chef"], o["order"].team
    neighbour = f.organisation(f"Voisine {secret}")
    year = timezone.localdate().year - 1
    with scopes_disabled():
        team.served_organisations.add(neighbour)
        order = f.work_order(neighbour, title=f"Travaux {secret}", team_obj=team, status=WorkOrder.Status.VALIDATED)
        at = dt.datetime(year, 2, 10, 10, tzinfo=timezone.get_current_timezone())
        WorkOrder.objects.filter(pk=order.pk).update(completed_at=at, validated_at=at)
        ExternalCost.objects.create(
            organisation=neighbour, work_order=order, description=f"Presta {secret}", amount=Decimal("10.00")
        )
        work_order_recompute_costs(work_order=order)
        return statement_issue(
            access=access_for_user(chef, venansault.pk),
            commune=neighbour,
            period=Period(dt.date(year, 1, 1), dt.date(year, 3, 31)),
        )
