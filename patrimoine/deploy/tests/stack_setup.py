"""Run by the production-stack test, in its own process on the fresh database (DATABASE_URL):
migrate it if empty, load a little data with the project's factories, take the schema back to the previous one (every
migration of ours that nothing depends on is unapplied), then try `upgrade` with a broken backup key
and check it changed nothing. Prints what it did as JSON.

    python -m patrimoine.deploy.tests.stack_setup <backup-dir>
"""

import io
import json
import os
import sys
from datetime import datetime, time, timedelta


def main(backup_dir: str) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "patrimoine.settings")
    import django

    django.setup()
    from django.core.management import CommandError, call_command
    from django.db.migrations.exceptions import IrreversibleError
    from django.db.migrations.loader import MigrationLoader
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from patrimoine.core.reference_data import load_reference_data
    from patrimoine.deploy.upgrade import pending_migrations
    from patrimoine.maintenance.models import MaintenancePlan
    from patrimoine.maintenance.recurrence import PARIS
    from patrimoine.organisations.models import Membership
    from patrimoine.testing import factories

    call_command("migrate", verbosity=0)  # nothing to do on a copy of the test database
    load_reference_data()
    with scopes_disabled():
        org = factories.organisation("Nesmy")
        factories.user("gestionnaire.nesmy", role=Membership.Role.MANAGER, organisation=org)
        school = factories.building(org, "École Jules Ferry")
        factories.work_order(org, title="Fuite sous l'évier de la cantine", building_obj=school)
        due = timezone.localdate() + timedelta(days=5)
        MaintenancePlan.objects.create(
            organisation=org,
            target=MaintenancePlan.Target.BUILDING,
            building=school,
            name="Vérification des extincteurs",
            trigger=MaintenancePlan.Trigger.CALENDAR,
            rrule="FREQ=YEARLY",
            dtstart=datetime.combine(due, time(8), tzinfo=PARIS),
            lead_days=30,
            trade=factories.trade("securite-incendie", "Sécurité incendie"),
        )

    graph = MigrationLoader(None).graph
    leaves = sorted(
        key
        for key, node in graph.node_map.items()
        if not node.children
        and type(graph.nodes[key]).__module__.startswith("patrimoine.")
        and not graph.nodes[key].initial
    )
    for app, name in leaves:
        parent = next(p.key for p in graph.node_map[app, name].parents if p.key[0] == app)
        try:
            call_command("migrate", app, parent[1], verbosity=0)
        except IrreversibleError as error:
            raise SystemExit(
                f"{app}.{name} n'est pas réversible : donnez un reverse_code à ses RunPython "
                "(RunPython.noop au besoin), le test de la pile de production la défait puis la rejoue."
            ) from error
    unapplied = [f"{app}.{name}" for app, name in leaves]

    os.environ["BACKUP_KEY"] = "pas-une-cle-fernet"
    try:
        call_command("upgrade", backup_dir=backup_dir, stdout=io.StringIO())
        refused = ""
    except CommandError as error:
        refused = str(error)
    del os.environ["BACKUP_KEY"]
    return {"unapplied": unapplied, "refused": refused, "pending_after_refusal": pending_migrations()}


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1])))
