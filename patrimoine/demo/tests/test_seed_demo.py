"""seed_demo builds a believable, consistent agglomeration, and running it again changes nothing.

The seed runs once for the package (conftest.py: twice, to prove idempotence, shared with
test_finance.py) inside a transaction rolled back at the end, so other packages never see it; each
test runs in its own savepoint on top.
"""

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from django.db.models import Count
from django.utils import timezone
from django_scopes import scopes_disabled

from conftest import access_of
from patrimoine.accounts.models import User
from patrimoine.assets.models import Equipment
from patrimoine.core.services import reference_next
from patrimoine.costs.models import ExternalCost, MaterialLine, TimeEntry
from patrimoine.costs.services import labour_rate_for
from patrimoine.demo.data import organisations as people
from patrimoine.intake.models import RequesterBuilding, WorkRequest
from patrimoine.organisations.models import Membership, Organisation, Team, TeamMember
from patrimoine.stock.models import Item
from patrimoine.workorders.models import WorkOrder, WorkOrderTechnician

# Marked so that pytest-django runs these tests with the other database tests, before the
# transactional (browser) tests that flush every table.
pytestmark = pytest.mark.django_db

CENT = Decimal("0.01")


@pytest.fixture
def demo(seeded_twice):
    return seeded_twice


def test_second_run_creates_nothing(demo, db):
    assert demo["after_second"] == demo["after_first"]
    assert "créées" in demo["first_output"]
    assert "déjà présentes" in demo["second_output"]


def test_volumes_are_those_of_a_small_agglomeration(demo, db):
    counts = demo["after_first"]
    assert counts["Organisation"] == 4
    assert 20 <= counts["Site"] <= 40
    assert 45 <= counts["Building"] <= 55
    assert 450 <= counts["Equipment"] <= 560
    assert 1900 <= counts["WorkOrder"] <= 2200
    assert counts["User"] == len(people.ACCOUNTS) + 1
    with scopes_disabled():
        assert Item.objects.filter(organisation__slug="nesmy").count() >= 60
        assert set(Organisation.objects.values_list("slug", flat=True)) == {"epci", "nesmy", "venansault", "aubigny"}
        assert Organisation.objects.get(slug="nesmy").insee_code == "85160"
        assert Organisation.objects.get(slug="epci").overhead_rate == Decimal("8.00")
        lights = Equipment.objects.filter(category__code="eclairage-public")
        assert lights.count() >= 30 and not lights.exclude(building=None).exists()


def test_the_named_technicians_carry_their_orders_organisation(demo, db):
    named = WorkOrderTechnician.objects.values_list("organisation_id", "workorder__organisation_id")
    assert demo["after_first"]["WorkOrderTechnician"] > 1000
    assert all(mine == order for mine, order in named)


def test_every_order_cost_is_the_sum_of_its_lines_to_the_cent(demo, db):
    with scopes_disabled():
        lines = {}
        for model, kind in ((TimeEntry, "labour"), (MaterialLine, "material"), (ExternalCost, "external")):
            for work_order_id, amount in model.objects.values_list("work_order_id", "amount"):
                lines.setdefault(work_order_id, {"labour": 0, "material": 0, "external": 0})[kind] += amount
        validated = WorkOrder.objects.filter(status=WorkOrder.Status.VALIDATED)
        assert validated.count() > 1500
        for order in WorkOrder.objects.all():
            sums = lines.get(order.pk, {"labour": 0, "material": 0, "external": 0})
            assert (order.labour_cost, order.material_cost, order.external_cost) == (
                sums["labour"],
                sums["material"],
                sums["external"],
            ), order.reference
            assert order.total_cost == order.labour_cost + order.material_cost + order.external_cost
        assert not validated.filter(total_cost=0).exists()


def test_lines_are_valued_like_the_costs_services_do(demo, db):
    with scopes_disabled():
        for entry in TimeEntry.objects.select_related("work_order__team")[:400]:
            member = TeamMember.objects.select_related("trade").get(
                team=entry.work_order.team, user_id=entry.technician_id
            )
            rate = labour_rate_for(
                organisation_id=entry.work_order.team.organisation_id,
                grade=member.grade,
                trade=member.trade,
                year=entry.date.year,
            )
            assert entry.hourly_rate == rate.hourly_rate
            assert entry.amount == (entry.hours * entry.hourly_rate).quantize(CENT, ROUND_HALF_UP)
        for line in MaterialLine.objects.select_related("item")[:400]:
            assert line.unit_cost == line.item.unit_cost
            assert line.amount == (line.quantity * line.unit_cost).quantize(CENT, ROUND_HALF_UP)


@pytest.mark.parametrize(("username", "role"), [(a[0], a[1]) for a in people.ACCOUNTS])
def test_demo_account_signs_in_with_its_role(demo, client, username, role):
    assert client.login(username=username, password=people.PASSWORD)
    user = User.objects.get(username=username)
    membership = Membership.objects.select_related("organisation", "contractor").get(user=user)
    assert membership.role == role
    assert membership.organisation.slug == username.split(".", 1)[1]
    assert user.email == f"{username}@demo.patrimoine.local" and user.first_name and user.last_name
    if role == Membership.Role.CONTRACTOR:
        assert membership.contractor.organisation_id == membership.organisation_id


def test_django_admin_superuser_signs_in(demo, client):
    assert client.login(username="admin", password=people.PASSWORD)
    assert User.objects.get(username="admin").is_superuser


def test_accounts_file_lists_every_account(demo):
    text = (Path(__file__).parents[1] / "ACCOUNTS.md").read_text()
    for username, *_rest in people.ACCOUNTS:
        assert f"`{username}`" in text


def test_shared_team_serves_the_three_communes(demo, db):
    with scopes_disabled():
        team = Team.objects.get(name="Régie bâtiment mutualisée")
        assert team.organisation.slug == "epci"
        assert team.lead.username == "chef.epci"
        assert set(team.served_organisations.values_list("slug", flat=True)) == {"nesmy", "venansault", "aubigny"}
        assert team.members.count() == 6
        ahmed = team.members.get(user__username="technicien.epci")
        assert (ahmed.user.get_full_name(), ahmed.trade.code) == ("Ahmed Benali", "plomberie")
        communes = Organisation.objects.filter(slug__in=["nesmy", "venansault", "aubigny"])
    access = access_of(User.objects.get(username="chef.epci"))
    assert {c.pk for c in communes} <= access.write_org_ids


def test_this_week_is_ready_for_the_journeys(demo, db):
    today = timezone.localdate()
    with scopes_disabled():
        new = WorkRequest.objects.filter(status=WorkRequest.Status.NEW)
        assert new.count() == 14
        assert new.values("organisation").distinct().count() == 3
        assert new.filter(urgency="urgente").count() == 3

        ahmed = User.objects.get(username="technicien.epci")
        todays = WorkOrder.objects.filter(technicians=ahmed, planned_start__date=today).order_by("planned_start")
        assert todays.count() == 5
        first = todays.first()
        assert first.building.name == "École élémentaire Jules Ferry"
        past = first.equipment.work_orders.filter(
            status=WorkOrder.Status.VALIDATED,
            title__icontains="vanne",
            technicians=ahmed,
            validated_at__date__gte=today - timedelta(days=400),
        )
        assert past.exists()

        to_validate = WorkOrder.objects.filter(status=WorkOrder.Status.DONE, team__name="Régie bâtiment mutualisée")
        assert to_validate.count() >= 2
        ahmed_done = to_validate.get(technicians=ahmed)
        assert ahmed_done.time_entries.get().hours == Decimal("1.75")
        assert ahmed_done.material_lines.count() == 2
        entry = ahmed_done.time_entries.get()
        assert ahmed_done.total_cost == entry.amount + Decimal("16.25")
        if entry.date.year == today.year:  # at the current year's plumber rate, the journey's 96,40 €
            assert ahmed_done.total_cost == Decimal("96.40")
        assert WorkOrder.objects.filter(status=WorkOrder.Status.SUSPENDED).count() >= 2
        week = WorkOrder.objects.filter(
            team__name="Régie bâtiment mutualisée",
            planned_start__date__gte=today - timedelta(days=today.weekday()),
            planned_start__date__lt=today - timedelta(days=today.weekday()) + timedelta(days=14),
        )
        assert week.values("technicians").annotate(n=Count("id")).count() == 6

        nadia = User.objects.get(username="demandeur.nesmy")
        assert list(RequesterBuilding.objects.filter(user=nadia).values_list("building__name", flat=True)) == [
            "École élémentaire Jules Ferry"
        ]
        mine = WorkRequest.objects.filter(requested_by=nadia)
        assert mine.filter(status=WorkRequest.Status.NEW).exists()
        assert mine.filter(status=WorkRequest.Status.REJECTED).exists()
        assert mine.filter(work_order__status=WorkOrder.Status.PLANNED).exists()
        done = mine.filter(work_order__status=WorkOrder.Status.VALIDATED).latest("created_at").work_order
        assert done.report.notes


def test_new_numbers_continue_after_the_seeded_ones(demo, db):
    with scopes_disabled():
        nesmy = Organisation.objects.get(slug="nesmy")
        year = timezone.localdate().year
        seeded = WorkOrder.objects.filter(organisation=nesmy, reference__startswith=f"BT-{year}-")
        highest = max(int(ref.rsplit("-", 1)[1]) for ref in seeded.values_list("reference", flat=True))
        assert seeded.count() == highest
        assert reference_next(organisation=nesmy, prefix="BT") == f"BT-{year}-{highest + 1:06d}"
        assert not WorkRequest.objects.values("organisation", "reference").annotate(n=Count("id")).filter(n__gt=1)


def test_demo_administrators_have_the_published_totp_secret(demo, db):
    from base64 import b32decode

    from django_otp.plugins.otp_totp.models import TOTPDevice

    from patrimoine.accounts.services import two_factor_requirement

    devices = TOTPDevice.objects.select_related("user").filter(confirmed=True)
    admins = {a[0] for a in people.ACCOUNTS if a[1] == Membership.Role.ADMIN} | {"admin"}
    assert {d.user.username for d in devices} == admins
    assert all(d.bin_key == b32decode(people.TOTP_SECRET) for d in devices)
    assert two_factor_requirement(User.objects.get(username="admin.epci")) == "verify"
    assert two_factor_requirement(User.objects.get(username="technicien.epci")) == ""
