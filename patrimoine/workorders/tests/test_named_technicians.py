"""The named technicians of an order (WorkOrderTechnician, the through model of `WorkOrder.technicians`)
carry the order's organisation: written by the planning service, refused without it, read with or
without a scope, and given to the rows already there by the migrations (0007 to 0009)."""

import pytest
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django_scopes import scope, scopes_disabled

from conftest import access_of
from patrimoine.field.selectors import Named
from patrimoine.workorders import services
from patrimoine.workorders.models import NamedTechnicianMissingOrganisation, WorkOrder, WorkOrderTechnician

pytestmark = pytest.mark.django_db

BEFORE = ("workorders", "0006_planning_indexes")  # the automatic many-to-many table, without organisation
AFTER = ("workorders", "0009_fill_workordertechnician_organisation")


def _rows(order) -> list[tuple[int, int | None]]:
    """(technician, organisation) of the rows naming technicians on `order`."""
    rows = WorkOrderTechnician.objects.filter(workorder=order).order_by("user_id")
    return list(rows.values_list("user_id", "organisation_id"))


def test_planning_names_the_technicians_with_the_orders_organisation(f, world):
    """The EPCI's shared team plans a commune's order: the rows are the commune's, like the order."""
    order = f.work_order(world.nesmy, building_obj=world.school)
    chef = access_of(world.chef)
    with scopes_disabled():
        services.work_order_plan(
            access=chef, work_order=order, expected_version=order.version, team=world.team, technicians=[world.ahmed]
        )
        assert _rows(order) == [(world.ahmed.pk, world.nesmy.pk)]

        services.work_order_plan(
            access=chef,
            work_order=order,
            expected_version=order.version,
            team=world.team,
            technicians=[world.ahmed, world.bruno],
        )
        assert _rows(order) == [(world.ahmed.pk, world.nesmy.pk), (world.bruno.pk, world.nesmy.pk)]
        assert Named is WorkOrderTechnician


def test_naming_a_technician_without_the_organisation_fails_loudly(f, world):
    order = f.work_order(world.nesmy)
    with pytest.raises(NamedTechnicianMissingOrganisation, match="through_defaults"), transaction.atomic():
        order.technicians.add(world.ahmed)
    with pytest.raises(NamedTechnicianMissingOrganisation), transaction.atomic():
        WorkOrderTechnician.objects.create(workorder=order, user=world.ahmed)
    assert _rows(order) == []


def test_the_named_technicians_are_read_and_written_with_or_without_a_scope(f, world):
    """Not a scoped model: the field app's `Named` subqueries and the M2M run in jobs and seeds too."""
    order = f.work_order(world.nesmy)
    f.name_technicians(order, world.ahmed)
    assert list(order.technicians.all()) == [world.ahmed]
    assert Named.objects.filter(user_id=world.ahmed.pk).count() == 1
    with scope(organisation=[world.venansault.pk]):  # another organisation's scope: still readable by the order
        assert list(order.technicians.all()) == [world.ahmed]
        order.technicians.set([world.bruno], through_defaults=WorkOrderTechnician.defaults_for(order))
    assert _rows(order) == [(world.bruno.pk, world.nesmy.pk)]


def _migrate(target) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])
    return executor


@pytest.mark.django_db(transaction=True)
def test_the_migrations_keep_the_rows_and_give_them_their_orders_organisation(f, world):
    nesmy_order = f.work_order(world.nesmy)
    venansault_order = f.work_order(world.venansault)
    f.name_technicians(nesmy_order, world.ahmed)
    with scopes_disabled():
        ids = set(WorkOrderTechnician.objects.values_list("pk", flat=True))
    try:
        executor = _migrate(BEFORE)
        # The previous release names a technician: Django's automatic table, no organisation.
        old_apps = executor.loader.project_state(BEFORE).apps
        old = old_apps.get_model("workorders", "WorkOrder")._meta.get_field("technicians").remote_field.through
        old.objects.create(workorder_id=venansault_order.pk, user_id=world.bruno.pk)
        ids |= set(old.objects.values_list("pk", flat=True))
    finally:
        _migrate(AFTER)

    with scopes_disabled():
        assert set(WorkOrderTechnician.objects.values_list("pk", flat=True)) == ids  # same rows, same keys
        assert _rows(nesmy_order) == [(world.ahmed.pk, world.nesmy.pk)]
        assert _rows(venansault_order) == [(world.bruno.pk, world.venansault.pk)]
        assert list(WorkOrder.objects.get(pk=venansault_order.pk).technicians.all()) == [world.bruno]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger of the rolling upgrade is PostgreSQL's")
def test_a_row_the_previous_release_inserts_without_organisation_gets_the_orders(f, world):
    order = f.work_order(world.nesmy)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO workorders_workorder_technicians (workorder_id, user_id) VALUES (%s, %s)",
            [order.pk, world.ahmed.pk],
        )
    assert _rows(order) == [(world.ahmed.pk, world.nesmy.pk)]
