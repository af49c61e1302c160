"""The rollups stay exactly what a rebuild from the raw tables gives, whatever the services do.

A seeded random walk through the real services — requests filed on every channel, accepted,
rejected, merged; orders created, planned, started, suspended, completed, reopened, validated with
their cost, cancelled; time, materials and external costs added and removed; an order's trade or
building changed; a building's ERP type changed — with a clock that moves forward across months.
After every step the stored rollups equal the `GROUP BY` of the raw rows (to the cent), and at the
end a rebuild writes the very same rows.
"""

import datetime as dt
import io
import random
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from conftest import access_of
from patrimoine.assets import services as assets
from patrimoine.assets.models import Building
from patrimoine.core.errors import DomainError
from patrimoine.costs import services as costs
from patrimoine.costs.models import ExternalCost, MaterialLine, TimeEntry
from patrimoine.intake import services as intake
from patrimoine.intake.models import WorkRequest
from patrimoine.organisations.models import Membership, TeamMember
from patrimoine.reporting import rollups
from patrimoine.reporting.models import ROLLUPS, OrderMonth
from patrimoine.reporting.rollups.events import raw_orders, raw_requests
from patrimoine.reporting.rollups.store import contributions
from patrimoine.workorders import services as workorders
from patrimoine.workorders.models import WorkOrder
from patrimoine.workorders.services import TRANSITIONS

pytestmark = pytest.mark.django_db
Role = Membership.Role
Status = WorkOrder.Status
PARIS = ZoneInfo("Europe/Paris")


class Clock:
    """`timezone.now()` for the services and the models' timestamps, moved forward by the walk."""

    def __init__(self, start: dt.datetime):
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    # Late on the last day of a month: a few steps later it is another month (and, in Paris, the
    # next day already while UTC is still on the previous one).
    ticking = Clock(dt.datetime(2025, 1, 31, 22, 40, tzinfo=PARIS).astimezone(dt.UTC))
    monkeypatch.setattr(timezone, "now", ticking)
    return ticking


@pytest.fixture
def world(f, clock):
    epci, (nesmy, venansault) = f.epci_with_communes("Nesmy", "Venansault")
    plumbing, electricity = f.trade("plomberie", "Plomberie"), f.trade("electricite", "Électricité")
    lead = f.user("chef", role=Role.TEAM_LEAD, organisation=nesmy)
    tech = f.user("tech", role=Role.TECHNICIAN, organisation=nesmy)
    team = f.team(nesmy, "Régie", lead=lead, members=[tech], trade_obj=plumbing, grade=TeamMember.Grade.AGENT)
    for year in (2025, 2026):
        f.labour_rate(nesmy, "38.50", year=year)
    buildings = [
        f.building(nesmy, "École", is_erp=True, erp_type="R", erp_category=4, surface_m2=Decimal("800")),
        f.building(nesmy, "Gymnase", is_erp=True, erp_type="X", erp_category=3, surface_m2=Decimal("1200")),
        f.building(nesmy, "Atelier"),
    ]
    return {
        "org": nesmy,
        "other": venansault,
        "trades": [plumbing, electricity],
        "lead": access_of(lead, nesmy),
        "manager": access_of(f.user("gestionnaire", role=Role.MANAGER, organisation=nesmy), nesmy),
        "admin": access_of(f.user("admin", role=Role.ADMIN, organisation=nesmy), nesmy),
        "other_manager": access_of(f.user("g2", role=Role.MANAGER, organisation=venansault), venansault),
        "other_building": f.building(venansault, "Mairie", is_erp=True, erp_type="W", erp_category=5),
        "team": team,
        "tech": tech,
        "buildings": buildings,
    }


def stored() -> dict:
    result = {}
    for table in ROLLUPS:
        for row in table._base_manager.values():
            values = [row[m] for m in table.MEASURES]
            if any(values):
                key = (row["organisation_id"], row["grain"], row["month"], *(row[k] for k in table.KEYS))
                result[(table.__name__, key)] = [Decimal(v).quantize(Decimal("0.01")) for v in values]
    return result


def computed() -> dict:
    delta = contributions(orders=raw_orders(), requests=raw_requests())
    return {
        (table.__name__, key): [Decimal(v).quantize(Decimal("0.01")) for v in values]
        for table, rows in delta.nonzero().items()
        for key, values in rows.items()
    }


class Walk:
    def __init__(self, world, rng: random.Random, clock: Clock):
        self.w, self.rng, self.clock = world, rng, clock
        self.done: list[str] = []

    def pick(self, queryset):
        items = list(queryset.order_by("created_at", "pk"))
        return self.rng.choice(items) if items else None

    def run(self, access, action, *args, **kwargs):
        with scope(organisation=sorted(access.read_org_ids)):
            try:
                action(*args, access=access, **kwargs)
            except DomainError:  # refused (a stale version, a closed order…): nothing changed
                self.done.append(f"{action.__name__} (refusé)")
                return
        self.done.append(action.__name__)

    # --- the steps ---------------------------------------------------------------------------------
    def tick(self):
        self.clock.now += dt.timedelta(hours=self.rng.choice([1, 5, 20, 30, 24 * 9]))

    def file(self):
        org_access = self.rng.choice([self.w["manager"], self.w["manager"], self.w["other_manager"]])
        own = org_access is self.w["manager"]
        building = self.rng.choice([*self.w["buildings"], None]) if own else self.w["other_building"]
        self.run(
            org_access,
            intake.work_request_create,
            description=self.rng.choice(["Fuite sous l'évier", "Néon qui clignote", "Porte qui grince"]),
            building=building,
            location_text="" if building else "Parking du stade",
            channel=self.rng.choice(WorkRequest.Channel.values),
        )

    def triage(self):
        request = self.pick(WorkRequest._base_manager.filter(organisation=self.w["org"], status="nouvelle"))
        if request is None:
            return
        lead, choice = self.w["lead"], self.rng.random()
        if choice < 0.55:
            team = self.w["team"] if self.rng.random() < 0.5 else None
            trade = self.rng.choice([*self.w["trades"], None])
            self.run(
                lead, intake.work_request_accept, work_request=request, trade=trade or self.w["trades"][0], team=team
            )
        elif choice < 0.75:
            self.run(lead, intake.work_request_reject, work_request=request, reason="Relève d'un autre service.")
        else:
            into = self.pick(
                WorkRequest._base_manager.filter(
                    organisation=self.w["org"], status__in=["nouvelle", "acceptee"]
                ).exclude(pk=request.pk)
            )
            if into is not None:
                self.run(lead, intake.work_request_merge, work_request=request, into=into)

    def create_order(self):
        self.run(
            self.w["manager"],
            workorders.work_order_create,
            organisation=self.w["org"],
            title="Contrôle",
            trade=self.rng.choice(self.w["trades"]),
            building=self.rng.choice([*self.w["buildings"], None]),
            due_date=timezone.localdate() + dt.timedelta(days=self.rng.choice([-2, 1, 6])),
        )

    def open_orders(self, *statuses):
        return WorkOrder._base_manager.filter(organisation=self.w["org"], status__in=statuses)

    def plan(self):
        order = self.pick(self.open_orders(Status.TO_PLAN, Status.PLANNED, Status.SUSPENDED))
        if order is not None:
            self.run(
                self.w["lead"],
                workorders.work_order_plan,
                work_order=order,
                expected_version=order.version,
                team=self.w["team"],
                technicians=[self.w["tech"]],
                due_date=timezone.localdate() + dt.timedelta(days=self.rng.choice([0, 3])),
            )

    def move(self):
        order = self.pick(
            self.open_orders(Status.TO_PLAN, Status.PLANNED, Status.IN_PROGRESS, Status.SUSPENDED, Status.DONE)
        )
        if order is None:
            return
        to = self.rng.choice(sorted(TRANSITIONS[order.status]))
        access = self.w["lead"] if to != Status.CANCELLED or self.rng.random() < 0.5 else self.w["manager"]
        self.run(
            access,
            workorders.work_order_transition,
            work_order=order,
            to_status=to,
            expected_version=order.version,
            reason="Motif" if to in (Status.CANCELLED, Status.IN_PROGRESS) else "",
            suspension_reason=WorkOrder.SuspensionReason.PARTS if to == Status.SUSPENDED else "",
        )

    def advance(self):
        """The usual path of an order, one move (validation with its cost at the end)."""
        forward = {
            Status.PLANNED: Status.IN_PROGRESS,
            Status.IN_PROGRESS: Status.DONE,
            Status.SUSPENDED: Status.IN_PROGRESS,
            Status.DONE: Status.VALIDATED,
        }
        order = self.pick(self.open_orders(*forward))
        if order is not None:
            self.run(
                self.w["lead"],
                workorders.work_order_transition,
                work_order=order,
                to_status=forward[order.status],
                expected_version=order.version,
            )

    def edit(self):
        order = self.pick(self.open_orders(Status.TO_PLAN, Status.PLANNED, Status.IN_PROGRESS, Status.SUSPENDED))
        if order is not None:
            change = self.rng.choice(["trade", "building", "due_date"])
            value = {
                "trade": self.rng.choice(self.w["trades"]),
                "building": self.rng.choice([*self.w["buildings"], None]),
                "due_date": timezone.localdate() + dt.timedelta(days=self.rng.choice([-1, 2])),
            }[change]
            self.run(
                self.w["manager"],
                workorders.work_order_update,
                work_order=order,
                expected_version=order.version,
                **{change: value},
            )

    def cost_line(self):
        order = self.pick(
            self.open_orders(Status.IN_PROGRESS, Status.SUSPENDED, Status.DONE).filter(team=self.w["team"])
        )
        if order is None:
            return
        kind = self.rng.choice(["time", "material", "external"])
        if kind == "time":
            hours = self.rng.choice(["0.5", "1.25", "3"])
            self.run(
                self.w["lead"],
                costs.time_entry_add,
                work_order=order,
                technician=self.w["tech"],
                date=timezone.localdate(),
                hours=hours,
            )
        elif kind == "material":
            self.run(
                self.w["lead"],
                costs.material_line_add,
                work_order=order,
                label="Joint",
                quantity="2",
                unit_cost="0.455",
            )
        else:
            self.run(
                self.w["lead"], costs.external_cost_add, work_order=order, description="Entreprise", amount="129.99"
            )

    def remove_line(self):
        lines = [
            *TimeEntry._base_manager.filter(organisation=self.w["org"]),
            *MaterialLine._base_manager.filter(organisation=self.w["org"]),
            *ExternalCost._base_manager.filter(organisation=self.w["org"]),
        ]
        open_ids = set(self.open_orders(*WorkOrder.OPEN_STATUSES, Status.DONE).values_list("pk", flat=True))
        lines = sorted((line for line in lines if line.work_order_id in open_ids), key=lambda line: str(line.pk))
        if lines:
            self.run(self.w["lead"], costs.cost_line_remove, line=self.rng.choice(lines))

    def retype_building(self):
        building = Building._base_manager.get(pk=self.rng.choice(self.w["buildings"]).pk)
        erp = self.rng.choice([("R", 4), ("N", 3), None])
        fields = {"is_erp": erp is not None, "erp_type": erp[0] if erp else "", "erp_category": erp[1] if erp else None}
        self.run(
            self.w["admin"], assets.building_update, building=building, expected_version=building.version, fields=fields
        )

    STEPS = {
        "tick": 4,
        "file": 5,
        "triage": 4,
        "create_order": 2,
        "plan": 3,
        "move": 4,
        "advance": 6,
        "edit": 2,
        "cost_line": 4,
        "remove_line": 1,
        "retype_building": 1,
    }

    def step(self):
        names = list(self.STEPS)
        name = self.rng.choices(names, weights=[self.STEPS[n] for n in names])[0]
        getattr(self, name)()


@pytest.mark.parametrize("seed", [1, 2])
@scopes_disabled()
def test_rollups_equal_a_rebuild_after_any_sequence_of_writes(world, clock, seed):
    walk = Walk(world, random.Random(seed), clock)  # noqa: S311 — a reproducible walk, not secrets
    for number in range(90):
        walk.step()
        assert stored() == computed(), f"étape {number} : {walk.done[-1:]}"
    done = set(walk.done)
    assert {"work_request_accept", "work_order_transition", "work_order_plan"} <= done, walk.done
    assert WorkOrder._base_manager.filter(status=Status.VALIDATED).exists()
    assert len({month for _table, (_org, _grain, month, *_keys) in stored()}) >= 2  # months were crossed
    before = stored()
    rollups.rebuild()
    assert stored() == before


@scopes_disabled()
def test_rollups_rebuild_repairs_one_organisation_and_leaves_the_others(world, f):
    cost = {"external_cost": Decimal("12.30"), "total_cost": Decimal("12.30")}
    f.work_order(world["org"], status=Status.VALIDATED, validated_at=timezone.now(), **cost)
    f.work_order(world["other"], status=Status.TO_PLAN)
    OrderMonth._base_manager.update(opened=99)  # rows changed behind the services' back
    call_command("rollups_rebuild", "--org", world["org"].slug, stdout=io.StringIO())
    repaired = {key: v for key, v in stored().items() if key[1][0] == world["org"].pk}
    assert repaired == {key: v for key, v in computed().items() if key[1][0] == world["org"].pk}
    assert OrderMonth._base_manager.filter(organisation=world["other"], opened=99).exists()
    with pytest.raises(CommandError, match="Collectivité inconnue : nulle-part"):
        call_command("rollups_rebuild", "--org", "nulle-part")
