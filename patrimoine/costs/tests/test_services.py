import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django_scopes import scopes_disabled

from conftest import access_of
from patrimoine.core.errors import DomainError, PermissionRefused
from patrimoine.core.models import AuditEntry
from patrimoine.costs import services
from patrimoine.costs.models import ExternalCost, LabourRate, MaterialLine, TimeEntry
from patrimoine.organisations.models import Membership, TeamMember
from patrimoine.workorders.models import WorkOrder

from .conftest import THIS_YEAR

pytestmark = [pytest.mark.django_db]
Role = Membership.Role
TODAY = date.today()


def _order(wo) -> WorkOrder:
    with scopes_disabled():
        return WorkOrder.objects.get(pk=wo.pk)


def _lines(wo) -> tuple[int, int, int]:
    with scopes_disabled():
        return (
            TimeEntry.objects.filter(work_order=wo).count(),
            MaterialLine.objects.filter(work_order=wo).count(),
            ExternalCost.objects.filter(work_order=wo).count(),
        )


def _snapshot(wo):
    fresh = _order(wo)
    return (_lines(wo), fresh.labour_cost, fresh.material_cost, fresh.external_cost, fresh.total_cost)


def _add_time(world, *, actor="ahmed", technician=None, hours="1.75", day=None, **extra):
    with scopes_disabled():
        return services.time_entry_add(
            access=access_of(world[actor]),
            work_order=world["order"],
            technician=world[technician or actor],
            date=day or TODAY,
            hours=Decimal(hours),
            **extra,
        )


def test_time_is_valued_at_the_plumbers_loaded_rate_to_the_cent(world):
    entry = _add_time(world, hours="1.75")

    assert entry.hourly_rate == Decimal("38.40")
    assert entry.amount == Decimal("67.20")
    order = _order(world["order"])
    assert order.labour_cost == Decimal("67.20") and order.total_cost == Decimal("67.20")
    with scopes_disabled():
        audit = AuditEntry.objects.get(action="work_order.time_add")
    assert audit.target_id == str(order.pk) and audit.actor == world["ahmed"]


def test_grade_without_a_trade_rate_falls_back_to_the_grade_rate_for_every_trade(world):
    # Lucas is « agent de maîtrise », electrician: only the « tous métiers » rate of his grade exists.
    entry = _add_time(world, actor="chef", technician="lucas", hours="2.5")

    assert entry.hourly_rate == Decimal("41.20")
    assert entry.amount == Decimal("103.00")


def test_the_trade_rate_wins_over_the_any_trade_rate_of_the_same_grade(f, world):
    f.labour_rate(world["epci"], "35.00", year=THIS_YEAR)  # agent, every trade
    entry = _add_time(world, hours="1")
    assert entry.hourly_rate == Decimal("38.40")


def test_the_rate_is_the_one_of_the_year_of_the_entry(f, world):
    last_year = date(THIS_YEAR - 1, 12, 15)
    f.labour_rate(world["epci"], "36.00", year=THIS_YEAR - 1, trade_obj=world["plumbing"])

    old = _add_time(world, hours="1", day=last_year)
    new = _add_time(world, hours="1")

    assert (old.hourly_rate, new.hourly_rate) == (Decimal("36.00"), Decimal("38.40"))


def test_the_rate_is_the_employers_not_the_communes(f, world):
    # The order belongs to Nesmy, but Ahmed is employed by the EPCI: a Nesmy rate is not his.
    f.labour_rate(world["nesmy"], "99.00", year=THIS_YEAR, trade_obj=world["plumbing"])
    assert _add_time(world, hours="1").hourly_rate == Decimal("38.40")


def test_amounts_round_half_up_to_the_cent(f, world):
    with scopes_disabled():
        LabourRate.objects.filter(organisation=world["epci"], trade=world["plumbing"]).update(
            hourly_rate=Decimal("38.42")
        )
    # 1.25 × 38.42 = 48.025 → 48.03 (banker's rounding would say 48.02)
    assert _add_time(world, hours="1.25").amount == Decimal("48.03")
    cheap = f.item(world["epci"], "Collier", "0.8350")
    with scopes_disabled():
        line = services.material_line_add(
            access=access_of(world["ahmed"]), work_order=world["order"], item=cheap, quantity=Decimal("3")
        )
    # 3 × 0.835 = 2.505 → 2.51
    assert line.amount == Decimal("2.51")


def test_missing_rate_is_refused_in_french_and_records_nothing(world):
    with scopes_disabled():
        LabourRate.objects.filter(organisation=world["epci"]).delete()
    before = _snapshot(world["order"])

    with pytest.raises(DomainError) as refused:
        _add_time(world, hours="1")

    assert str(refused.value) == (
        f"Aucun taux horaire n'est défini pour Adjoint technique, plomberie en {THIS_YEAR} : "
        "demandez à l'administrateur de le saisir."
    )
    assert _snapshot(world["order"]) == before


def test_a_later_rate_change_never_rewrites_recorded_time(f, world):
    admin = f.user("admin.epci", role=Role.ADMIN, organisation=world["epci"])
    entry = _add_time(world, hours="1.75")

    with scopes_disabled():
        services.labour_rate_save(
            access=access_of(admin),
            year=THIS_YEAR,
            grade=TeamMember.Grade.AGENT,
            trade=world["plumbing"],
            hourly_rate=Decimal("45.00"),
        )
        entry.refresh_from_db()
    assert (entry.hourly_rate, entry.amount) == (Decimal("38.40"), Decimal("67.20"))
    assert _order(world["order"]).labour_cost == Decimal("67.20")
    assert _add_time(world, hours="1").amount == Decimal("45.00")


def test_material_cost_is_the_items_average_cost_at_that_moment(world):
    with scopes_disabled():
        line = services.material_line_add(
            access=access_of(world["ahmed"]), work_order=world["order"], item=world["joint"], quantity=Decimal("2")
        )
        world["joint"].unit_cost = Decimal("0.99")
        world["joint"].save()
        line.refresh_from_db()
    assert (line.label, line.unit_cost, line.amount) == ("Joint fibre 20/27", Decimal("0.85"), Decimal("1.70"))


def test_order_cost_is_labour_plus_materials_plus_external(world):
    chef = access_of(world["chef"])
    _add_time(world, hours="1.75")
    with scopes_disabled():
        services.material_line_add(
            access=access_of(world["ahmed"]), work_order=world["order"], item=world["joint"], quantity=Decimal("2")
        )
        services.material_line_add(
            access=access_of(world["ahmed"]), work_order=world["order"], item=world["flexible"], quantity=Decimal("1")
        )
        services.external_cost_add(
            access=chef, work_order=world["order"], description="Déplacement dépanneur", amount=Decimal("15.10")
        )
    order = _order(world["order"])
    assert (order.labour_cost, order.material_cost, order.external_cost) == (
        Decimal("67.20"),
        Decimal("14.10"),
        Decimal("15.10"),
    )
    assert order.total_cost == Decimal("96.40")


def test_free_label_material_needs_a_unit_cost(world):
    access = access_of(world["ahmed"])
    before = _snapshot(world["order"])
    with scopes_disabled(), pytest.raises(DomainError, match="coût unitaire"):
        services.material_line_add(access=access, work_order=world["order"], label="Silicone", quantity=1)
    assert _snapshot(world["order"]) == before
    with scopes_disabled():
        line = services.material_line_add(
            access=access, work_order=world["order"], label="Silicone", quantity=Decimal("1.5"), unit_cost="6.333"
        )
    assert line.amount == Decimal("9.50") and line.item is None


def test_quantity_must_be_positive(world):
    with scopes_disabled(), pytest.raises(DomainError, match="quantité positive"):
        services.material_line_add(
            access=access_of(world["ahmed"]), work_order=world["order"], item=world["joint"], quantity=Decimal("0")
        )


def test_another_communes_catalogue_cannot_supply_the_order(world):
    before = _snapshot(world["order"])
    with scopes_disabled(), pytest.raises(DomainError, match="catalogue"):
        services.material_line_add(
            access=access_of(world["chef"]),
            work_order=world["order"],
            item=world["venansault_item"],
            quantity=Decimal("1"),
        )
    assert _snapshot(world["order"]) == before


@pytest.mark.parametrize("hours", ["0", "-1", "24.01", "25", "abc", "0.004"])
def test_hours_outside_a_day_are_refused_in_french(world, hours):
    before = _snapshot(world["order"])
    with scopes_disabled(), pytest.raises(DomainError) as refused:
        services.time_entry_add(
            access=access_of(world["ahmed"]),
            work_order=world["order"],
            technician=world["ahmed"],
            date=TODAY,
            hours=hours,
        )
    assert str(refused.value) == "Le temps saisi doit être compris entre 0,01 et 24 heures."
    assert _snapshot(world["order"]) == before


def test_more_than_24_hours_a_day_for_one_technician_is_refused(world):
    _add_time(world, hours="20")
    with pytest.raises(DomainError, match="au plus 24 heures par jour"):
        _add_time(world, hours="5")


def test_time_in_the_future_is_refused(world):
    with pytest.raises(DomainError, match="futur"):
        _add_time(world, hours="1", day=TODAY + timedelta(days=2))


def test_same_client_uuid_twice_records_the_line_once(world):
    sent = uuid.uuid4()
    first = _add_time(world, hours="1.75", client_uuid=sent)
    again = _add_time(world, hours="1.75", client_uuid=str(sent))

    assert again.pk == first.pk
    assert _lines(world["order"]) == (1, 0, 0)
    assert _order(world["order"]).labour_cost == Decimal("67.20")
    with scopes_disabled():
        assert AuditEntry.objects.filter(action="work_order.time_add").count() == 1


def test_material_replay_is_recorded_once_even_after_validation(world):
    sent = uuid.uuid4()
    access = access_of(world["ahmed"])
    with scopes_disabled():
        first = services.material_line_add(
            access=access, work_order=world["order"], item=world["joint"], quantity=2, client_uuid=sent
        )
        WorkOrder.objects.filter(pk=world["order"].pk).update(status=WorkOrder.Status.VALIDATED)
        # The field app did not get the answer and sends again: it gets the line, not an error.
        again = services.material_line_add(
            access=access, work_order=world["order"], item=world["joint"], quantity=2, client_uuid=sent
        )
    assert again.pk == first.pk and _lines(world["order"]) == (0, 1, 0)


@pytest.mark.parametrize("status", [WorkOrder.Status.VALIDATED, WorkOrder.Status.CANCELLED])
def test_closed_orders_refuse_every_cost_change(world, status):
    entry = _add_time(world, hours="1")
    with scopes_disabled():
        WorkOrder.objects.filter(pk=world["order"].pk).update(status=status)
    before = _snapshot(world["order"])
    chef = access_of(world["chef"])
    attempts = [
        lambda: _add_time(world, hours="1"),
        lambda: services.material_line_add(
            access=chef, work_order=world["order"], item=world["joint"], quantity=Decimal("1")
        ),
        lambda: services.external_cost_add(
            access=chef, work_order=world["order"], description="Nacelle", amount=Decimal("100")
        ),
        lambda: services.cost_line_remove(access=chef, line=entry),
    ]
    for attempt in attempts:
        with scopes_disabled(), pytest.raises(DomainError) as refused:
            attempt()
        assert str(refused.value) == "Ce bon de travail est clos : ses coûts ne peuvent plus changer."
    assert _snapshot(world["order"]) == before


def test_a_technician_of_another_team_cannot_log_time(world):
    before = _snapshot(world["order"])
    with pytest.raises(PermissionRefused):
        _add_time(world, actor="paul", hours="1")
    assert _snapshot(world["order"]) == before


def test_the_lead_cannot_log_time_for_someone_outside_the_team(world):
    with pytest.raises(DomainError, match="ne fait pas partie de l'équipe"):
        _add_time(world, actor="chef", technician="paul", hours="1")
    assert _lines(world["order"]) == (0, 0, 0)


def test_a_technician_logs_only_his_own_time(world):
    with pytest.raises(PermissionRefused, match="propre temps"):
        _add_time(world, actor="ahmed", technician="lucas", hours="1")


def test_without_a_team_only_a_planning_role_logs_time_for_a_serving_teams_member(f, world):
    order = f.work_order(world["nesmy"], trade_obj=world["plumbing"], status=WorkOrder.Status.IN_PROGRESS)
    with scopes_disabled():
        entry = services.time_entry_add(
            access=access_of(world["chef"]), work_order=order, technician=world["ahmed"], date=TODAY, hours="2"
        )
    assert entry.amount == Decimal("76.80")


def test_a_technician_cannot_add_external_costs(world):
    with scopes_disabled(), pytest.raises(PermissionRefused):
        services.external_cost_add(
            access=access_of(world["ahmed"]), work_order=world["order"], description="Nacelle", amount=100
        )
    assert _lines(world["order"]) == (0, 0, 0)


def test_external_cost_amount_must_be_positive(world):
    with scopes_disabled(), pytest.raises(DomainError, match="positif"):
        services.external_cost_add(
            access=access_of(world["chef"]), work_order=world["order"], description="Nacelle", amount="-5"
        )


def test_removing_a_line_recomputes_the_order(world):
    keep = _add_time(world, hours="1")
    drop = _add_time(world, hours="1.75")
    with scopes_disabled():
        services.cost_line_remove(access=access_of(world["chef"]), line=drop)
        assert not TimeEntry.objects.filter(pk=drop.pk).exists()
    assert _order(world["order"]).labour_cost == keep.amount == Decimal("38.40")


def test_a_technician_removes_his_own_lines_but_not_others(world):
    mine = _add_time(world, hours="1")
    leads = _add_time(world, actor="chef", technician="lucas", hours="1")
    ahmed = access_of(world["ahmed"])
    with scopes_disabled():
        with pytest.raises(PermissionRefused):
            services.cost_line_remove(access=ahmed, line=leads)
        services.cost_line_remove(access=ahmed, line=mine)
    assert _lines(world["order"]) == (1, 0, 0)


def test_only_the_admin_sets_labour_rates(f, world):
    reader = f.user(role=Role.READER, organisation=world["epci"])
    with scopes_disabled(), pytest.raises(PermissionRefused):
        services.labour_rate_save(
            access=access_of(reader), year=THIS_YEAR, grade=TeamMember.Grade.AGENT, trade=None, hourly_rate="30"
        )
