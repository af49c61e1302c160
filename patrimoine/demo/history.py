"""Two years of work: about 1,900 closed work orders, most of them born from a request."""

from datetime import date, datetime, timedelta
from decimal import Decimal

from patrimoine.demo.clock import add_workdays, at, is_workday
from patrimoine.demo.crew import Crew, later
from patrimoine.demo.data import jobs as job_data
from patrimoine.demo.data import organisations as people
from patrimoine.demo.data.catalogue import CONTRACTORS
from patrimoine.demo.data.jobs import Job
from patrimoine.demo.orders import Ledger, OrderSpec, RequestSpec
from patrimoine.demo.registry import Place, Registry
from patrimoine.intake.models import WorkRequest
from patrimoine.workorders.models import WorkOrder

WINTER = (11, 12, 1, 2, 3)
# How often each kind of place needs work (a pool or a school far more than a church).
PLACE_WEIGHT = {
    "school": 5,
    "nursery": 4,
    "pool": 6,
    "gym": 3,
    "canteen": 3,
    "townhall": 2,
    "hall": 2,
    "creche": 3,
    "library": 2,
    "periscolaire": 2,
    "changing": 2,
    "offices": 1.5,
    "workshop": 1,
    "tennis": 1,
    "church": 0.6,
    "toilets": 1,
    "plant": 1.5,
    "lighting": 2.5,
}
SUSPENSION_REASONS = ["pieces", "pieces", "acces", "prestataire"]


def build_history(ledger: Ledger, crew: Crew, registry: Registry, *, start: date, end: datetime, count: int) -> None:
    """Closed orders created between `start` and `end`, every one validated or cancelled before `end`."""
    rng = crew.rng
    places = [(slug, place) for slug, org_places in registry.places.items() for place in org_places]
    weights = [PLACE_WEIGHT[place.kind] for _slug, place in places]
    days = [
        start + timedelta(days=n) for n in range((end.date() - start).days) if is_workday(start + timedelta(days=n))
    ]
    made = 0
    while made < count:
        slug, place = rng.choices(places, weights)[0]
        day = rng.choice(days)
        job = _choose_job(crew, place, slug, day.month)
        if job is None:
            continue
        spec = _closed_order(crew, job, place, slug, day, end)
        if spec is None:
            continue
        ledger.add_order(spec)
        made += 1
        if spec.request is not None and spec.request.status == WorkRequest.Status.ACCEPTED and rng.random() < 0.03:
            _duplicate(ledger, crew, spec, slug)
    _rejected(ledger, crew, registry, days, int(count * 0.03))


def _candidates(crew: Crew, place: Place, slug: str) -> list[Job]:
    present = {e.category.code for e in place.equipment}
    jobs = list(job_data.JOBS) + (list(job_data.OWN_TEAM_JOBS) if slug == people.NESMY else [])
    found = []
    for job in jobs:
        if place.building is None:
            if "eclairage-public" not in job.categories:
                continue
        elif "eclairage-public" in job.categories or (job.categories and not present & set(job.categories)):
            continue
        if job.contractor and not any(CONTRACTORS[n][4] == job.contractor for n in crew.ref.contractors[slug]):
            continue
        found.append(job)
    return found


def _choose_job(crew: Crew, place: Place, slug: str, month: int) -> Job | None:
    jobs = _candidates(crew, place, slug)
    if not jobs:
        return None
    weights = [job.weight * (3 if job.winter and month in WINTER else 1) for job in jobs]
    return crew.rng.choices(jobs, weights)[0]


def _closed_order(crew: Crew, job: Job, place: Place, slug: str, day: date, end: datetime) -> OrderSpec | None:
    rng = crew.rng
    equipment, space = crew.pick_target(job, place)
    reported_at = at(day, rng.randint(7, 16), rng.choice([0, 5, 10, 20, 30, 40, 45, 50]))
    from_request = job.kind == WorkOrder.Kind.CORRECTIVE and rng.random() < 0.8
    urgency = rng.choices(["urgente", "normale", "faible"], [12, 75, 13])[0] if from_request else "normale"
    priority = (
        crew.priority_for(urgency, rng)
        if from_request
        else rng.choice([WorkOrder.Priority.NORMAL] * 3 + [WorkOrder.Priority.LOW])
    )

    if job.contractor:
        contractor, contractor_user = crew.contractor_for(slug, job.contractor)
        team_slug, team, members = None, None, []
        planner = crew.manager_of(slug)
        validator = crew.chef_of(slug) if slug != people.EPCI else crew.user("chef.epci")
    else:
        contractor = contractor_user = None
        team_slug = crew.team_slug_for(slug, job)
        team = crew.ref.teams[team_slug]
        planner = validator = crew.lead(team_slug)
    hours = crew.hours(job)
    if team_slug:
        members = crew.technicians(team_slug, job.trade, hours)

    # Triage: urgent at once, the rest within a day or two.
    if urgency == "urgente":
        created_at = later(reported_at, rng.randint(10, 90))
    elif from_request:
        created_at = at(add_workdays(day, rng.randint(0, 2)), rng.randint(8, 11), rng.choice([0, 15, 30, 45]))
        created_at = max(created_at, later(reported_at, 20))
    else:
        created_at = reported_at
    created_by = planner if from_request or rng.random() < 0.6 else crew.manager_of(slug)
    spec = crew.base_spec(
        job=job,
        place=place,
        org_slug=slug,
        equipment=equipment,
        space=space,
        created_at=created_at,
        created_by=created_by,
    )
    spec.priority = priority
    spec.due_date = crew.due_date(created_at, priority)
    spec.team, spec.technicians, spec.contractor, spec.contractor_user = team, members, contractor, contractor_user
    spec.planner, spec.validator = planner, validator
    if from_request:
        spec.request = crew.request(job, place, slug, reported_at, urgency)
        spec.request.triaged_by, spec.request.triaged_at = planner, created_at
        spec.description = spec.request.description
    if job.kind == WorkOrder.Kind.PREVENTIVE and rng.random() < 0.5:
        spec.checklist = ["Contrôle visuel", "Essais de fonctionnement", "Mise à jour du registre"]

    # Planning, then the work.
    spec.planned_at = later(created_at, rng.randint(5, 120))
    delay = {
        WorkOrder.Priority.URGENT: rng.randint(0, 1),
        WorkOrder.Priority.HIGH: rng.randint(1, 3),
        WorkOrder.Priority.NORMAL: rng.randint(2, 9),
        WorkOrder.Priority.LOW: rng.randint(5, 18),
    }[priority]
    if contractor:
        delay += rng.randint(3, 12)
    start_day = add_workdays(spec.planned_at.date(), delay)
    planned_start = crew.slot(start_day)
    if planned_start <= spec.planned_at:
        planned_start = later(spec.planned_at, 60)
    duration = hours if not contractor else Decimal(rng.choice([1, 1.5, 2]))
    spec.planned_start = planned_start
    spec.planned_end = planned_start + timedelta(hours=float(duration))

    if rng.random() < 0.035:  # cancelled before anyone went
        spec.cancelled_at = later(spec.planned_at, rng.randint(60, 60 * 24 * 5))
        spec.cancel_reason = rng.choice(job_data.CANCEL_REASONS)
        if rng.random() < 0.4 or spec.planned_start >= end:
            spec.planned_at = spec.planned_start = spec.planned_end = None
        return spec if spec.cancelled_at < end else None

    spec.started_at = later(planned_start, rng.randint(0, 25))
    work_day = spec.started_at.date()
    finished = spec.started_at + timedelta(hours=float(duration))
    if rng.random() < 0.05:  # suspended, waiting for parts or access, then resumed
        reason = rng.choice(SUSPENSION_REASONS)
        suspended_at = spec.started_at + timedelta(hours=float(duration) / 2)
        resumed_day = add_workdays(work_day, rng.randint(2, 8))
        resumed_at = crew.slot(resumed_day)
        spec.suspensions = [(suspended_at, reason, resumed_at)]
        finished = resumed_at + timedelta(hours=float(duration) / 2)
    spec.completed_at = finished
    spec.validated_at = at(add_workdays(finished.date(), rng.randint(1, 6)), rng.randint(8, 11), rng.randint(0, 59))
    if spec.validated_at >= end:
        return None
    if team is not None:
        spec.time = crew.time(members, team_slug, work_day, hours)
        spec.materials = crew.materials(job, team_slug)
        if rng.random() < 0.04:
            label, amount = rng.choice(job_data.EXTERNAL_EXTRAS)
            spec.externals = [(None, label, amount, f"F{work_day.year}-{rng.randint(1000, 9999)}")]
    else:
        low, high = job.external
        amount = Decimal(rng.randint(low * 100, high * 100)) / 100
        spec.externals = [
            (contractor, job.title, amount, f"{work_day.year}-{rng.randint(100, 999):03d}{rng.randint(10, 99)}")
        ]
    spec.notes = rng.choice(job.notes)
    spec.signed_by_name = rng.choice(job_data.SIGNERS)
    return spec


def _duplicate(ledger: Ledger, crew: Crew, spec: OrderSpec, slug: str) -> None:
    """Someone else reported the same problem: merged into the first request."""
    original = ledger.requests[-1]
    copy = crew.request(
        next(j for j in job_data.JOBS + job_data.OWN_TEAM_JOBS if j.title == spec.title),
        spec.place,
        slug,
        later(original.created_at, crew.rng.randint(15, 300)),
        original.urgency,
    )
    copy.status = WorkRequest.Status.MERGED
    copy.duplicate_of = original
    copy.triaged_by = spec.planner
    copy.triaged_at = max(spec.created_at, later(copy.created_at, 30))
    ledger.add_request(copy, spec.organisation, spec.place, spec.equipment, spec.space)


def _rejected(ledger: Ledger, crew: Crew, registry: Registry, days: list[date], count: int) -> None:
    rng = crew.rng
    for _n in range(count):
        slug = rng.choice(people.COMMUNES)
        place = rng.choice(registry.places[slug])
        job = _choose_job(crew, place, slug, 6)
        if job is None:
            continue
        day = rng.choice(days)
        reported = at(day, rng.randint(8, 17), rng.randint(0, 59))
        spec: RequestSpec = crew.request(job, place, slug, reported, "normale")
        spec.status = WorkRequest.Status.REJECTED
        spec.rejection_reason = rng.choice(job_data.REJECTION_REASONS)
        spec.triaged_by = crew.chef_of(slug) if slug == people.NESMY else crew.user("chef.epci")
        spec.triaged_at = later(reported, rng.randint(60, 60 * 48))
        ledger.add_request(spec, crew.ref.orgs[slug], place)
