"""This week, relative to the day the seed runs: requests to triage, the team's plan, Ahmed's day,
orders awaiting validation or suspended, and Nadia's requests in every state."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from patrimoine.demo.clock import add_workdays, at, monday_of, previous_workday
from patrimoine.demo.crew import Crew, later
from patrimoine.demo.data import organisations as people
from patrimoine.demo.data import present as story
from patrimoine.demo.data.jobs import JOBS, OWN_TEAM_JOBS, Job
from patrimoine.demo.history import PLACE_WEIGHT, _candidates
from patrimoine.demo.orders import Ledger, OrderSpec, RequestSpec
from patrimoine.demo.registry import Place, Registry
from patrimoine.intake.models import WorkRequest
from patrimoine.workorders.models import WorkOrder

Priority = WorkOrder.Priority
EPCI, NESMY = people.EPCI, people.NESMY
BACKLOG = 30
NEXT_WEEK_LOAD = [2, 2, 2, 1, 1]


@dataclass
class Now:
    today: date
    now: datetime

    def past(self, moment: datetime) -> datetime:
        """`moment`, or a little before now if it would lie in the future."""
        return min(moment, self.now - timedelta(minutes=5))


class Present:
    def __init__(self, ledger: Ledger, crew: Crew, registry: Registry, today: date, now: datetime) -> None:
        self.ledger, self.crew, self.registry, self.rng = ledger, crew, registry, crew.rng
        self.clock = Now(today, now)
        self.today, self.now = today, now
        self.monday = monday_of(today)
        self.karim = crew.user("chef.epci")
        self.ahmed = crew.member(EPCI, "technicien.epci")
        self.nadia = crew.user("demandeur.nesmy")
        self.next_tuesday = today + timedelta(days=(1 - today.weekday()) % 7 or 7)

    def build(self) -> None:
        self.boiler_last_year()
        self.ahmed_today()
        self.awaiting_validation()
        self.suspended()
        self.in_progress()
        self.nadia_requests()
        self.week_plan()
        self.backlog()
        self.contractors()
        self.new_requests()

    # ---- helpers

    def place(self, slug: str, name: str) -> Place:
        if name.startswith("lighting:"):
            return next(p for p in self.registry.lighting(slug) if p.site.name == name.split(":", 1)[1])
        return self.registry.building(slug, name)

    def target(self, place: Place, what: str | None):
        if not what:
            return None, None
        kind, name = what.split(":", 1)
        if kind == "space":
            return None, place.spaces[name]
        if kind == "equipment":
            item = next(e for e in place.equipment if e.name == name)
        else:
            item = self.rng.choice(place.equipment_of((name,)))
        return item, item.space

    def order(
        self,
        *,
        slug: str,
        place: Place,
        target: str | None,
        title: str,
        trade: str,
        team_slug: str | None,
        members=(),
        created_at: datetime,
        request_text: str = "",
        requester=None,
        requester_name: str = "",
        urgency: str = "normale",
        priority: str = Priority.NORMAL,
        kind: str = WorkOrder.Kind.CORRECTIVE,
    ) -> OrderSpec:
        equipment, space = self.target(place, target)
        planner = self.crew.lead(team_slug) if team_slug else self.crew.manager_of(slug)
        job = Job(trade, title, kind=kind)
        spec = self.crew.base_spec(
            job=job,
            place=place,
            org_slug=slug,
            equipment=equipment,
            space=space,
            created_at=created_at,
            created_by=planner,
        )
        spec.description = request_text
        spec.priority = priority
        spec.due_date = self.crew.due_date(created_at, priority)
        spec.planner = spec.validator = planner
        if team_slug:
            spec.team = self.crew.ref.teams[team_slug]
            spec.technicians = list(members)
        if request_text:
            spec.request = RequestSpec(
                created_at=later(created_at, -self.rng.randint(20, 240)),
                description=request_text,
                urgency=urgency,
                requested_by=requester,
                requester_name=requester_name,
                suggested_trade=self.crew.ref.trades[trade] if self.rng.random() < 0.8 else None,
                triaged_by=planner,
                triaged_at=created_at,
            )
        return spec

    def work(self, spec: OrderSpec, team_slug: str, start: datetime, hours: Decimal, materials, notes="", signer=""):
        """The technicians did it: started at `start`, time entries, materials, report."""
        spec.planned_at = spec.planned_at or self.clock.past(later(spec.created_at, 30))
        spec.planned_start = spec.planned_start or start
        spec.planned_end = spec.planned_end or start + timedelta(hours=float(hours))
        spec.started_at = start
        spec.completed_at = start + timedelta(hours=float(hours), minutes=5)
        spec.time = self.crew.time(spec.technicians, team_slug, start.date(), hours)
        spec.materials = [(self.crew.ref.items[team_slug][ref], Decimal(q)) for ref, q in materials]
        spec.notes, spec.signed_by_name = notes, signer

    def plan(self, spec: OrderSpec, start: datetime, hours: float) -> None:
        spec.planned_at = self.clock.past(later(spec.created_at, self.rng.randint(15, 90)))
        spec.planned_start = start
        spec.planned_end = start + timedelta(hours=hours)

    # ---- the story

    def boiler_last_year(self) -> None:
        slug, name = story.NADIA_SCHOOL
        place = self.place(slug, name)
        data = story.BOILER_LAST_YEAR
        day = add_workdays(self.today - timedelta(days=365), 0)
        spec = self.order(
            slug=slug,
            place=place,
            target=f"equipment:{story.NADIA_BOILER}",
            title=data["title"],
            trade="plomberie",
            team_slug=EPCI,
            members=[self.ahmed],
            created_at=at(day, 9, 40),
            request_text=data["request"],
            requester=self.nadia,
            priority=Priority.HIGH,
        )
        self.work(
            spec,
            EPCI,
            at(add_workdays(day, 1), 8, 5),
            Decimal(data["hours"]),
            data["materials"],
            data["notes"],
            "Mme Belkacem",
        )
        spec.validated_at = at(add_workdays(day, 3), 9, 12)
        self.ledger.add_order(spec)

    def ahmed_today(self) -> None:
        for n, (slug, name, target, title, text, hour, minute, hours) in enumerate(story.AHMED_TODAY):
            created = self.clock.past(at(previous_workday(self.today), 9 + n, 10)) - timedelta(
                days=self.rng.randint(0, 2)
            )
            spec = self.order(
                slug=slug,
                place=self.place(slug, name),
                target=target,
                title=title,
                trade="plomberie",
                team_slug=EPCI,
                members=[self.ahmed],
                created_at=created,
                request_text=text,
                requester=self.nadia if n == 0 else None,
                requester_name=""
                if n == 0
                else self.rng.choice(["Accueil de la mairie", "Agent d'entretien", "Mme Texier, cuisinière"]),
                priority=Priority.HIGH if n == 0 else Priority.NORMAL,
            )
            self.plan(spec, at(self.today, hour, minute), hours)
            self.ledger.add_order(spec)

    def awaiting_validation(self) -> None:
        day = previous_workday(self.today)
        slug, name, target = story.AHMED_DONE["where"]
        data = story.AHMED_DONE
        spec = self.order(
            slug=slug,
            place=self.place(slug, name),
            target=target,
            title=data["title"],
            trade="plomberie",
            team_slug=EPCI,
            members=[self.ahmed],
            created_at=at(previous_workday(day), 10, 20),
            request_text=data["request"],
            requester=self.crew.user("demandeur.venansault"),
        )
        self.work(
            spec, EPCI, at(day, 14, 0), Decimal(data["hours"]), data["materials"], data["notes"], data["signed_by"]
        )
        self.ledger.add_order(spec)
        for username, slug, name, target, title, hours, materials, notes in story.OTHER_DONE:
            team_slug = EPCI if username.endswith(".epci") else NESMY
            spec = self.order(
                slug=slug,
                place=self.place(slug, name),
                target=target,
                title=title,
                trade=self.crew.member(team_slug, username).trade.code if team_slug == EPCI else "menuiserie",
                team_slug=team_slug,
                members=[self.crew.member(team_slug, username)],
                created_at=at(add_workdays(day - timedelta(days=6), 0), 11, 0),
            )
            self.work(spec, team_slug, at(day, 9, 30), Decimal(hours), materials, notes)
            self.ledger.add_order(spec)

    def suspended(self) -> None:
        for username, slug, name, target, title, reason, ago in story.SUSPENDED:
            member = self.crew.member(EPCI, username)
            day = self.today
            for _n in range(ago):
                day = previous_workday(day)
            spec = self.order(
                slug=slug,
                place=self.place(slug, name),
                target=target,
                title=title,
                trade=member.trade.code,
                team_slug=EPCI,
                members=[member],
                created_at=at(previous_workday(day), 15, 0),
            )
            self.plan(spec, at(day, 8, 30), 2)
            spec.started_at = at(day, 8, 40)
            spec.suspensions = [(at(day, 10, 15), reason, None)]
            spec.time = self.crew.time([member], EPCI, day, Decimal("1.50"))
            self.ledger.add_order(spec)

    def in_progress(self) -> None:
        day = previous_workday(self.today)
        for username, slug, name, target, title, text, urgency in story.IN_PROGRESS:
            team_slug = EPCI if username.endswith(".epci") else NESMY
            member = self.crew.member(team_slug, username)
            trade = member.trade.code
            spec = self.order(
                slug=slug,
                place=self.place(slug, name),
                target=target,
                title=title,
                trade=trade,
                team_slug=team_slug,
                members=[member],
                created_at=at(day, 8, 5),
                request_text=text,
                requester_name="Mme Lucas, ATSEM" if text else "",
                urgency=urgency,
                priority=Priority.URGENT if urgency == "urgente" else Priority.NORMAL,
                kind=WorkOrder.Kind.CORRECTIVE if text else WorkOrder.Kind.PREVENTIVE,
            )
            self.plan(spec, at(day, 14, 0), 3)
            spec.started_at = at(day, 14, 10)
            self.ledger.add_order(spec)

    def nadia_requests(self) -> None:
        slug, name = story.NADIA_SCHOOL
        place = self.place(slug, name)
        target, title, text = story.NADIA_PLANNED
        spec = self.order(
            slug=slug,
            place=place,
            target=target,
            title=title,
            trade="plomberie",
            team_slug=EPCI,
            members=[self.ahmed],
            created_at=self.clock.past(at(previous_workday(self.today), 16, 30)),
            request_text=text,
            requester=self.nadia,
        )
        self.plan(spec, at(self.next_tuesday, 8, 30), 1)
        self.ledger.add_order(spec)

        target, title, text, notes = story.NADIA_DONE
        done_day = add_workdays(self.today - timedelta(days=7), 0)
        spec = self.order(
            slug=slug,
            place=place,
            target=target,
            title=title,
            trade="plomberie",
            team_slug=EPCI,
            members=[self.ahmed],
            created_at=at(done_day - timedelta(days=2), 8, 50),
            request_text=text,
            requester=self.nadia,
        )
        self.work(spec, EPCI, at(done_day, 10, 30), Decimal("0.75"), [("PLB-MECWC", 1)], notes, "Mme Belkacem")
        spec.validated_at = at(add_workdays(done_day, 1), 9, 5)
        self.ledger.add_order(spec)

        text, reason = story.NADIA_REJECTED
        reported = at(add_workdays(self.today - timedelta(days=24), 0), 17, 10)
        self.ledger.add_request(
            RequestSpec(
                created_at=reported,
                description=text,
                requested_by=self.nadia,
                urgency="faible",
                status=WorkRequest.Status.REJECTED,
                rejection_reason=reason,
                triaged_by=self.karim,
                triaged_at=later(reported, 60 * 16),
            ),
            self.crew.ref.orgs[slug],
            place,
            space=place.spaces["Classe CE2"],
        )

    def week_plan(self) -> None:
        """The shared team's current and next week, and Nesmy's own agent: two jobs a day each."""
        days = [self.monday + timedelta(days=n) for n in range(5)]
        loads = [2] * 5 + NEXT_WEEK_LOAD
        days += [self.monday + timedelta(days=7 + n) for n in range(5)]
        workers = [(EPCI, m) for m in self.crew.ref.members[EPCI]] + [
            (NESMY, self.crew.member(NESMY, "technicien.nesmy"))
        ]
        for day, load in zip(days, loads, strict=True):
            for team_slug, member in workers:
                if day == self.today and member.user_id == self.ahmed.user_id:
                    continue  # Ahmed's day is written out in full
                slots = [(8, 0), (13, 30)][:load]
                if day == self.next_tuesday and member.user_id == self.ahmed.user_id:
                    slots = [(13, 30)]  # the morning is Nadia's school
                for hour, minute in slots:
                    self._planned_job(team_slug, member, day, hour, minute)

    def _planned_job(self, team_slug: str, member, day: date, hour: int, minute: int) -> None:
        rng = self.rng
        trades = [t for t, names in people.DISPATCH[team_slug].items() if member.user.username in names]
        if team_slug == NESMY:
            orgs = [NESMY]
        else:
            orgs = [*people.COMMUNES, EPCI]
        for _attempt in range(50):
            slug = rng.choices(orgs, [3, 3, 3, 1][: len(orgs)])[0]
            places = self.registry.places[slug]
            place = rng.choices(places, [PLACE_WEIGHT[p.kind] for p in places])[0]
            jobs = [j for j in _candidates(self.crew, place, slug) if j.trade in trades and not j.contractor]
            if jobs:
                break
        else:
            return
        job = rng.choices(jobs, [j.weight for j in jobs])[0]
        equipment, space = self.crew.pick_target(job, place)
        start = at(day, hour, minute) + timedelta(minutes=rng.choice([0, 0, 15, 30]))
        hours = min(self.crew.hours(job), Decimal("3.50"))
        created = at(add_workdays(day - timedelta(days=rng.randint(3, 8)), 0), rng.randint(8, 16), rng.randint(0, 59))
        created = min(created, start - timedelta(hours=20), self.now - timedelta(hours=rng.randint(2, 60)))
        spec = self.crew.base_spec(
            job=job,
            place=place,
            org_slug=slug,
            equipment=equipment,
            space=space,
            created_at=created,
            created_by=self.crew.lead(team_slug),
        )
        spec.team, spec.technicians = self.crew.ref.teams[team_slug], [member]
        spec.planner = spec.validator = self.crew.lead(team_slug)
        spec.priority = Priority.NORMAL if rng.random() < 0.8 else Priority.HIGH
        spec.due_date = self.crew.due_date(created, spec.priority)
        if job.kind == WorkOrder.Kind.CORRECTIVE and rng.random() < 0.75:
            spec.request = self.crew.request(
                job, place, slug, later(created, -rng.randint(30, 600)), "normale", owners=False
            )
            spec.request.triaged_by, spec.request.triaged_at = spec.planner, created
            spec.description = spec.request.description
        self.plan(spec, start, float(hours))
        finished = start + timedelta(hours=float(hours), minutes=10)
        if finished < self.now - timedelta(minutes=30) and day < self.today:
            spec.started_at = start
            spec.completed_at = finished
            spec.validated_at = later(finished, rng.randint(40, 150))
            spec.time = self.crew.time([member], team_slug, day, hours)
            spec.materials = self.crew.materials(job, team_slug)
            spec.notes = rng.choice(job.notes)
        elif start < self.now - timedelta(minutes=30):
            spec.started_at = later(start, 5)  # today, already on site
        self.ledger.add_order(spec)

    def backlog(self) -> None:
        """Accepted requests whose order the team has not planned yet."""
        rng = self.rng
        made = 0
        while made < BACKLOG:
            slug = rng.choice([*people.COMMUNES, *people.COMMUNES, EPCI])
            place = rng.choices(self.registry.places[slug], [PLACE_WEIGHT[p.kind] for p in self.registry.places[slug]])[
                0
            ]
            jobs = [j for j in _candidates(self.crew, place, slug) if not j.contractor and j.kind == "curatif"]
            if not jobs:
                continue
            job = rng.choices(jobs, [j.weight for j in jobs])[0]
            team_slug = self.crew.team_slug_for(slug, job)
            equipment, space = self.crew.pick_target(job, place)
            day = self.today
            for _n in range(rng.randint(1, 18)):
                day = previous_workday(day)
            created = at(day, rng.randint(8, 17), rng.randint(0, 59))
            spec = self.crew.base_spec(
                job=job,
                place=place,
                org_slug=slug,
                equipment=equipment,
                space=space,
                created_at=created,
                created_by=self.crew.lead(team_slug),
            )
            spec.team = self.crew.ref.teams[team_slug]
            spec.planner = self.crew.lead(team_slug)
            urgency = rng.choices(["normale", "faible", "urgente"], [75, 20, 5])[0]
            spec.priority = self.crew.priority_for(urgency, rng)
            spec.due_date = self.crew.due_date(created, spec.priority)
            spec.request = self.crew.request(
                job, place, slug, later(created, -rng.randint(30, 900)), urgency, owners=False
            )
            spec.request.triaged_by, spec.request.triaged_at = spec.planner, created
            spec.description = spec.request.description
            self.ledger.add_order(spec)
            made += 1

    def contractors(self) -> None:
        for slug, name, target, title, company, weekday in story.CONTRACTOR_PLANNED:
            place = self.place(slug, name)
            job = next((j for j in JOBS + OWN_TEAM_JOBS if j.title == title), None)
            spec = self.order(
                slug=slug,
                place=place,
                target=target,
                title=title,
                trade=job.trade if job else "couverture",
                team_slug=None,
                created_at=self.clock.past(at(previous_workday(self.today), 11, 0)) - timedelta(days=3),
                kind=job.kind if job else WorkOrder.Kind.CORRECTIVE,
            )
            spec.contractor = self.crew.ref.contractors[slug][company]
            spec.contractor_user = next(
                (self.crew.user(u) for u, c in people.CONTRACTOR_OF.items() if c == company and u.endswith(f".{slug}")),
                None,
            )
            self.plan(spec, at(self.monday + timedelta(days=7 + weekday), 9, 0), 2)
            self.ledger.add_order(spec)

    def new_requests(self) -> None:
        for slug, name, target, text, urgency, trade, requester, channel, hours_ago in story.NEW_REQUESTS:
            place = self.place(slug, name) if name else None
            equipment = space = None
            location = ""
            if place is not None:
                equipment, space = self.target(place, target)
            else:
                location = target
            reported = self.now - timedelta(hours=hours_ago, minutes=self.rng.randint(0, 50))
            spec = RequestSpec(
                created_at=reported,
                description=text,
                channel=channel,
                urgency=urgency,
                status=WorkRequest.Status.NEW,
                suggested_trade=self.crew.ref.trades[trade] if trade else None,
                location_text=location,
            )
            kind, _sep, who = requester.partition(":")
            if kind == "user":
                spec.requested_by = self.crew.user(who)
            elif kind == "citizen":
                spec.requester_name, spec.requester_phone = who.split("|")
            else:
                spec.requester_name = who
            self.ledger.add_request(spec, self.crew.ref.orgs[slug], place, equipment, space)


def build_present(ledger: Ledger, crew: Crew, registry: Registry, *, today: date, now: datetime) -> None:
    Present(ledger, crew, registry, today, now).build()
