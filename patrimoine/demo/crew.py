"""Who does a job and what it uses: shared by the two-year history and this week's scenario."""

import random
from datetime import date, datetime, timedelta
from decimal import Decimal

from patrimoine.demo.clock import add_workdays, at
from patrimoine.demo.data import jobs as job_data
from patrimoine.demo.data import organisations as people
from patrimoine.demo.data.catalogue import CONTRACTORS
from patrimoine.demo.data.jobs import Job
from patrimoine.demo.orders import OrderSpec, RequestSpec
from patrimoine.demo.reference import Reference
from patrimoine.demo.registry import Place
from patrimoine.intake.models import WorkRequest
from patrimoine.organisations.models import TeamMember
from patrimoine.workorders.models import WorkOrder

QUARTER = Decimal("0.25")
SLOTS = [(8, 0), (8, 30), (10, 0), (10, 30), (13, 30), (14, 0), (15, 30)]
Priority = WorkOrder.Priority
Channel = WorkRequest.Channel


class Crew:
    def __init__(self, ref: Reference, rng: random.Random) -> None:
        self.ref = ref
        self.rng = rng

    # ---- people

    def user(self, username: str):
        return self.ref.users[username]

    def member(self, team_slug: str, username: str) -> TeamMember:
        return next(m for m in self.ref.members[team_slug] if m.user.username == username)

    def team_slug_for(self, org_slug: str, job: Job) -> str:
        """Nesmy's own team takes outdoor jobs and half of its small works; the shared team the rest."""
        if org_slug == people.NESMY and job.trade in people.DISPATCH[people.NESMY]:
            if job.trade not in people.DISPATCH[people.EPCI] or self.rng.random() < 0.5:
                return people.NESMY
        return people.EPCI

    def technicians(self, team_slug: str, trade: str, hours: Decimal) -> list[TeamMember]:
        names = people.DISPATCH[team_slug][trade]
        main = names[0] if len(names) == 1 or self.rng.random() < 0.75 else names[1]
        crew = [self.member(team_slug, main)]
        if hours >= 2 and self.rng.random() < 0.3:
            others = [m for m in self.ref.members[team_slug] if m.user.username != main]
            crew.append(self.rng.choice(others))
        return crew

    def lead(self, team_slug: str):
        return self.ref.teams[team_slug].lead

    def contractor_for(self, org_slug: str, speciality: str):
        names = [n for n in self.ref.contractors[org_slug] if CONTRACTORS[n][4] == speciality]
        if not names:
            return None, None
        name = self.rng.choice(names)
        account = next((u for u, c in people.CONTRACTOR_OF.items() if c == name and u.endswith(f".{org_slug}")), None)
        return self.ref.contractors[org_slug][name], self.ref.users.get(account) if account else None

    def chef_of(self, org_slug: str):
        return self.user(f"chef.{org_slug}")

    def manager_of(self, org_slug: str):
        return self.user(f"gestionnaire.{org_slug}")

    # ---- what a job takes

    def hours(self, job: Job) -> Decimal:
        low, high = job.hours
        value = Decimal(str(self.rng.uniform(low, high))).quantize(QUARTER)
        return max(QUARTER, (value / QUARTER).to_integral_value() * QUARTER)

    def materials(self, job: Job, team_slug: str) -> list[tuple]:
        chosen = []
        for n, (reference, quantities) in enumerate(job.materials):
            if n == 0 or self.rng.random() < 0.55:
                chosen.append((self.ref.items[team_slug][reference], Decimal(self.rng.choice(quantities))))
        return chosen

    def time(self, crew: list[TeamMember], team_slug: str, day: date, hours: Decimal) -> list[tuple]:
        org_id = self.ref.teams[team_slug].organisation_id
        entries = []
        for n, member in enumerate(crew):
            worked = hours if n == 0 else max(QUARTER, hours - QUARTER * self.rng.choice([0, 0, 1, 2]))
            rate = self.ref.rate(org_id, day.year, member.grade, member.trade.code if member.trade else None)
            entries.append((member, day, worked, rate))
        return entries

    def slot(self, day: date) -> datetime:
        hour, minute = self.rng.choice(SLOTS)
        return at(day, hour, minute)

    # ---- requests

    def request(
        self, job: Job, place: Place, org_slug: str, created_at: datetime, urgency: str, owners: bool = True
    ) -> RequestSpec:
        """How the problem was reported. `owners`: the building's demo requester may be the one who did."""
        rng = self.rng
        text = job.request or f"À prévoir : {job.title[0].lower()}{job.title[1:]}."
        spec = RequestSpec(created_at=created_at, description=text, urgency=urgency)
        outdoor = place.building is None or job.trade in ("voirie", "espaces-verts")
        roll = rng.random()
        if outdoor:
            spec.channel = Channel.CITIZEN if roll < 0.55 else Channel.COUNTER if roll < 0.8 else Channel.FIELD
        else:
            spec.channel = Channel.INTERNAL if roll < 0.86 else Channel.FIELD if roll < 0.95 else Channel.COUNTER
        if spec.channel in (Channel.CITIZEN, Channel.COUNTER):
            name, phone = rng.choice(job_data.CITIZENS)
            spec.requester_name, spec.requester_phone = name, phone
            if place.building is None:
                spec.description = f"{spec.description} ({place.site.address})"
        elif spec.channel == Channel.INTERNAL:
            owner = next(
                (
                    u
                    for u, b in people.REQUESTER_BUILDINGS.items()
                    if u.endswith(f".{org_slug}") and b == place.building.name
                ),
                None,
            )
            if owner and owners and rng.random() < 0.7:
                spec.requested_by = self.user(owner)
            else:
                names = job_data.REQUESTERS.get(place.kind, job_data.REQUESTERS["default"])
                spec.requester_name = rng.choice(names)
        else:
            spec.requester_name = "Constaté par les services techniques"
        if rng.random() < 0.7:
            spec.suggested_trade = self.ref.trades[job.trade]
        return spec

    @staticmethod
    def priority_for(urgency: str, rng: random.Random) -> str:
        if urgency == "urgente":
            return Priority.URGENT if rng.random() < 0.6 else Priority.HIGH
        if urgency == "faible":
            return Priority.LOW
        return Priority.HIGH if rng.random() < 0.15 else Priority.NORMAL

    @staticmethod
    def due_date(created: datetime, priority: str) -> date:
        days = {Priority.URGENT: 1, Priority.HIGH: 5, Priority.NORMAL: 15, Priority.LOW: 30}[priority]
        return add_workdays(created.date(), days)

    def base_spec(
        self, *, job: Job, place: Place, org_slug: str, equipment, space, created_at, created_by
    ) -> OrderSpec:
        return OrderSpec(
            organisation=self.ref.orgs[org_slug],
            place=place,
            trade=self.ref.trades[job.trade],
            title=job.title,
            description=job.request or "",
            kind=job.kind,
            equipment=equipment,
            space=space,
            created_at=created_at,
            created_by=created_by,
        )

    def pick_target(self, job: Job, place: Place):
        """The equipment (when the job concerns one) and the space of the job."""
        equipment = None
        if job.categories:
            candidates = place.equipment_of(job.categories)
            equipment = self.rng.choice(candidates) if candidates else None
        if equipment is not None:
            return equipment, equipment.space
        if place.spaces and self.rng.random() < 0.6:
            return None, self.rng.choice(list(place.spaces.values()))
        return None, None


def later(moment: datetime, minutes: int) -> datetime:
    return moment + timedelta(minutes=minutes)
