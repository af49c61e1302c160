"""Demo charge-back: the agglomeration has billed its member communes quarter after quarter.

The statements of the last ended quarters are issued through the real service, as the shared
team's lead would have done a few days after each quarter's end — except Aubigny-Les Clouzeaux's
statement for the last quarter, left for the demo of « Émettre ». Runs once: nothing is issued if
the agglomeration already has a statement.
"""

import datetime as dt

from django.utils import timezone

from patrimoine.chargeback.models import Statement
from patrimoine.chargeback.selectors import previous_quarter, statement_draft
from patrimoine.chargeback.services import statement_issue
from patrimoine.demo.data import organisations as people
from patrimoine.demo.reference import Reference
from patrimoine.organisations.access import access_for_user

QUARTERS = 4
ISSUER = "chef.epci"
LEFT_TO_ISSUE = people.AUBIGNY  # its statement for the last ended quarter is for the demo of « Émettre »


def issue_demo_statements(ref: Reference, now: dt.datetime) -> int:
    """Issue the statements of the last `QUARTERS` ended quarters for each member commune."""
    epci = ref.orgs[people.EPCI]
    if Statement._base_manager.filter(organisation=epci).exists():
        return 0
    access = access_for_user(ref.users[ISSUER], epci.pk)
    today = timezone.localdate(now)
    periods = []
    period = previous_quarter(today)
    for _index in range(QUARTERS):
        periods.insert(0, period)
        period = previous_quarter(period.start)
    issued = 0
    paris = timezone.get_current_timezone()
    for period in periods:
        issued_at = min(dt.datetime.combine(period.end + dt.timedelta(days=5), dt.time(10, 0), tzinfo=paris), now)
        for slug in people.COMMUNES:
            if slug == LEFT_TO_ISSUE and period == periods[-1]:
                continue
            commune = ref.orgs[slug]
            if not statement_draft(epci, commune, period).lines:
                continue
            statement_issue(access=access, commune=commune, period=period, now=issued_at)
            issued += 1
    return issued
