"""Statutory compliance of Nesmy, for journey 5 (Claire, before the safety commission's visit).

The statutory catalogue is applied to every building of Nesmy (the checks it proposes ticked),
each check was last done one period ago by the contractor or team that holds it, and then:
- three are overdue: the gym's extinguishers, the school's fire alarm (SSI), the school
  playground's annual inspection;
- five are due within 60 days, among them the gym's electrical inspection, whose report from last
  year is attached with two findings — one cleared (its corrective order validated), one open;
- the others are up to date; the real generator then creates the coming due dates and the orders
  already due;
- a newly acquired building (an ERP of type R, 5th category) has its equipment but no plan yet.

Idempotent: nothing is written once Nesmy has a maintenance plan.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from patrimoine.assets.models import Building, Equipment, Site
from patrimoine.contractors.models import Contractor
from patrimoine.demo.clock import at, previous_workday
from patrimoine.demo.crew import Crew
from patrimoine.demo.data import organisations as people
from patrimoine.demo.orders import Ledger, OrderSpec
from patrimoine.demo.reference import Reference
from patrimoine.demo.registry import Place, Registry
from patrimoine.documents.services import document_attach
from patrimoine.maintenance.catalogue import load_catalogue, proposals_for
from patrimoine.maintenance.generation import generate_due, order_checklist, order_title
from patrimoine.maintenance.models import Finding, MaintenancePlan, Occurrence
from patrimoine.maintenance.recurrence import approximate_period_days, rule_parts
from patrimoine.maintenance.selectors import DUE_SOON_DAYS, SHORT_PERIOD_DAYS, active_checks, categories_present
from patrimoine.maintenance.services import default_lead_days
from patrimoine.workorders.models import WorkOrder

SLUG = people.NESMY
GYM, SCHOOL = "Salle de sports de la Vallée", "École élémentaire Jules Ferry"
# (building, check) → days late / days until due.
OVERDUE = {(GYM, "extincteurs-verification"): 24, (SCHOOL, "ssi-annuelle"): 41, (SCHOOL, "aires-de-jeux-annuelle"): 12}
DUE_SOON = {
    (GYM, "elec-erp"): 26,
    ("Mairie", "ascenseur-verification-annuelle"): 12,
    ("Salle des fêtes", "desenfumage"): 38,
    ("Restaurant scolaire Jules Ferry", "cuisine"): 47,
    ("Multi-accueil Les Pirates", "extincteurs-verification"): 55,
}
BUREAU = "Bureau Atlantique Vérifications"
FIRE, LIFT, PLAYGROUND, ELECTRICIAN = (
    "Ouest Sécurité Incendie",
    "Ascenseurs Atlantique Maintenance",
    "Ludic Contrôle Ouest",
    "Yon Électricité Services",
)
# Who holds each check: a contractor (name, invoice amount) or a team (slug, trade, hours); None: the manager.
CONTRACTED = {
    "elec-erp": (BUREAU, "420"),
    "elec-travail": (BUREAU, "360"),
    "ssi-triennale": (BUREAU, "540"),
    "gaz-erp": (BUREAU, "260"),
    "gaz-erp-5": (BUREAU, "210"),
    "chaufferie-erp": (BUREAU, "240"),
    "cuisine": (BUREAU, "380"),
    "ascenseur-controle-quinquennal": (BUREAU, "650"),
    "ascenseur-verification-annuelle": (BUREAU, "290"),
    "elec-erp-5": (ELECTRICIAN, "310"),
    "ssi-annuelle": (FIRE, "330"),
    "ssi-erp-5": (FIRE, "190"),
    "extincteurs-verification": (FIRE, "145"),
    "desenfumage": (FIRE, "280"),
    "ascenseur-entretien": (LIFT, "185"),
    "aires-de-jeux-annuelle": (PLAYGROUND, "230"),
    "equipements-sportifs": (PLAYGROUND, "260"),
}
IN_HOUSE = {
    "eclairage-securite": (people.EPCI, "electricite", "1.5"),
    "chaudiere-entretien": (people.EPCI, "cvc", "2.5"),
    "portes-automatiques": (people.EPCI, "serrurerie", "1"),
    "aires-de-jeux-routine": (SLUG, "serrurerie", "0.5"),
    "aires-de-jeux-fonctionnelle": (SLUG, "serrurerie", "1"),
    # Paperwork and the commission's visit: the head of Nesmy's technical services.
    "erp-commission-securite": (SLUG, "menuiserie", "3"),
    "registre-accessibilite": (SLUG, "menuiserie", "1"),
    "qualite-air": (SLUG, "menuiserie", "1"),
    "operat": (SLUG, "menuiserie", "1"),
}
NEW_BUILDING = {
    "site": ("NES-S20", "Maison de l'enfance", "3 rue du Moulin"),
    "building": ("NES-B20", "Maison de l'enfance (ancienne école Sainte-Marie)", "R", 5, 1958, Decimal("520")),
    "equipment": [
        ("NES-B20-E01", "Tableau général basse tension", "electricite"),
        ("NES-B20-E02", "Chaudière gaz à condensation", "cvc-chauffage"),
        ("NES-B20-E03", "Alarme incendie de type 4", "ssi"),
        ("NES-B20-E04", "Extincteur eau pulvérisée 6 L — hall", "extincteurs"),
        ("NES-B20-E05", "Extincteur CO2 2 kg — chaufferie", "extincteurs"),
        ("NES-B20-E06", "BAES — issue principale", "eclairage-securite"),
        ("NES-B20-E07", "BAES — dégagement salle d'activités", "eclairage-securite"),
    ],
}
FINDINGS = [
    (
        "Absence d'obturateurs sur le tableau divisionnaire des vestiaires : risque de contact direct.",
        "Obturateurs posés sur les emplacements libres du tableau divisionnaire ; contrôle visuel, RAS.",
    ),
    ("Bloc autonome d'éclairage de sécurité hors service au-dessus de l'issue de secours côté parking.", ""),
]


@dataclass
class History:
    plan: MaintenancePlan
    place: Place
    done_on: date  # the due date of the occurrence done
    order: WorkOrder


def build_compliance(ref: Reference, registry: Registry, *, today: date, now: datetime) -> None:
    load_catalogue()
    organisation = ref.orgs[SLUG]
    _new_building(ref, organisation)
    if MaintenancePlan.objects.filter(organisation=organisation).exists():
        return
    rng = random.Random("patrimoine-demo-compliance")  # noqa: S311 — deterministic demo data, not security
    crew = Crew(ref, rng)
    contractors = _contractors(ref, organisation)
    ledger = Ledger()
    history = []
    places = [p for p in registry.places[SLUG] if p.building is not None]
    checks = active_checks()
    present = categories_present([p.building.pk for p in places])
    for place in sorted(places, key=lambda p: p.building.code):
        for proposal in proposals_for(place.building, checks, present.get(place.building.pk, set())):
            if not proposal.ticked:
                continue
            check = proposal.check
            key = (place.building.name, check.code)
            next_due = _next_due(check.rrule, key, rng, today)
            done_on = _previous(check.rrule, next_due, today)
            plan = _plan(organisation, place, check, done_on, contractors, ref)
            order = ledger.add_order(_spec(crew, ref, organisation, place, plan, done_on, contractors, today, now, rng))
            history.append(History(plan, place, done_on, order))
    gym = next(h for h in history if (h.place.building.name, h.plan.statutory_check.code) == (GYM, "elec-erp"))
    corrective = _corrective_orders(crew, ref, organisation, gym, today, now)
    for spec in corrective:
        ledger.add_order(spec)
    ledger.save()
    Occurrence.objects.bulk_create(
        Occurrence(
            organisation=organisation,
            plan=h.plan,
            due_on=h.done_on,
            due_at=h.plan.dtstart,
            work_order=h.order,
            created_at=h.order.created_at,
        )
        for h in history
    )
    _report_and_findings(ref, gym, ledger.orders[-len(corrective) :])
    generate_due(today=today, organisation_ids=[organisation.pk])


def _next_due(rule: str, key, rng: random.Random, today: date) -> date:
    """The next due date the story wants for this check (days ≤ 28: every month has them)."""
    if key in OVERDUE:
        due = today - timedelta(days=OVERDUE[key])
    elif key in DUE_SOON:
        due = today + timedelta(days=DUE_SOON[key])
    else:
        period = _period(rule)
        short = approximate_period_days(rule) < SHORT_PERIOD_DAYS  # « due soon » is then its lead time
        earliest = today + timedelta(days=default_lead_days(rule) + 1 if short else DUE_SOON_DAYS + 1)
        latest = today + period - timedelta(days=2)
        due = earliest + timedelta(days=rng.randrange(max(1, (latest - earliest).days)))
    return due.replace(day=min(due.day, 28))


def _period(rule: str) -> relativedelta:
    parts = rule_parts(rule)
    interval = int(parts.get("INTERVAL", "1"))
    unit = {"YEARLY": "years", "MONTHLY": "months", "WEEKLY": "weeks", "DAILY": "days"}[parts["FREQ"]]
    return relativedelta(**{unit: interval})


def _previous(rule: str, next_due: date, today: date) -> date:
    """The due date before `next_due` (the one done). Rules pinned to a month and day (OPERAT:
    30 September) keep their date; if the next one is close, it was already filed, early."""
    parts = rule_parts(rule)
    if "BYMONTH" in parts and "BYMONTHDAY" in parts:
        pinned = date(today.year, int(parts["BYMONTH"]), int(parts["BYMONTHDAY"]))
        return pinned if pinned <= today + timedelta(days=61) else pinned - relativedelta(years=1)
    return next_due - _period(rule)


def _contractors(ref: Reference, organisation) -> dict[str, Contractor]:
    known = dict(ref.contractors[SLUG])
    bureau, _created = Contractor.objects.get_or_create(
        organisation=organisation,
        name=BUREAU,
        defaults={
            "siret": "81234567800019",
            "email": "verifications@bureau-atlantique.demo.patrimoine.local",
            "phone": "02 51 62 48 10",
        },
    )
    known[BUREAU] = bureau
    return known


def _plan(organisation, place: Place, check, done_on: date, contractors, ref) -> MaintenancePlan:
    categories = list(check.categories.all())
    mine = [c for c in categories if any(e.category_id == c.pk for e in place.equipment)]
    category = mine[0] if len(mine) == 1 else None
    contracted = CONTRACTED.get(check.code)
    in_house = IN_HOUSE.get(check.code)
    plan = MaintenancePlan(
        organisation=organisation,
        name=check.label,
        target=MaintenancePlan.Target.CATEGORY if category else MaintenancePlan.Target.BUILDING,
        building=place.building,
        category=category,
        statutory_check=check,
        rrule=check.rrule,
        dtstart=at(done_on, 8),
        lead_days=default_lead_days(check.rrule),
        checklist=check.checklist,
        trade=check.trade,
        contractor=contractors[contracted[0]] if contracted else None,
        team=ref.teams[in_house[0]] if in_house else None,
        estimated_cost=Decimal(contracted[1]) if contracted else None,
        estimated_hours=Decimal(in_house[2]) if in_house else None,
        created_by=ref.users[f"gestionnaire.{SLUG}"],
    )
    plan.save()
    return plan


def _spec(crew, ref, organisation, place, plan, done_on, contractors, today, now, rng) -> OrderSpec:
    """The order of the check done for `done_on`: created by the generator, planned, done on the day
    (or a few days before), validated; the contractor's invoice or the team's time."""
    day = min(done_on - timedelta(days=rng.randrange(0, 4)), previous_workday(today))
    while day.weekday() > 4:
        day -= timedelta(days=1)
    created = at(day - timedelta(days=plan.lead_days), 6, 0)
    start = at(day, rng.choice([8, 9, 10, 14]), 0)
    contracted = CONTRACTED.get(plan.statutory_check.code)
    in_house = IN_HOUSE.get(plan.statutory_check.code)
    hours = Decimal(in_house[2]) if in_house else Decimal("2")
    completed = start + timedelta(hours=float(hours))
    team_slug = in_house[0] if in_house else SLUG
    validator = crew.chef_of(team_slug)
    validated = completed + timedelta(days=1, hours=2)
    spec = OrderSpec(
        organisation=organisation,
        place=place,
        trade=plan.trade,
        title=order_title(plan),
        created_at=created,
        created_by=None,
        kind=WorkOrder.Kind.PREVENTIVE,
        due_date=done_on,
        planner=crew.manager_of(SLUG) if contracted else crew.chef_of(team_slug),
        planned_at=created + timedelta(days=1, hours=3),
        planned_start=start,
        planned_end=completed,
        started_at=start,
        completed_at=completed,
        validated_at=validated if validated < now - timedelta(hours=1) else None,
        validator=validator,
        checklist=order_checklist(plan),
        notes="Vérification réalisée, aucune observation." if contracted else "Contrôle fait, RAS.",
    )
    if contracted:
        spec.contractor = contractors[contracted[0]]
        invoice = f"F{day:%Y%m}-{rng.randrange(100, 999)}"
        spec.externals = [(spec.contractor, plan.name[:150], Decimal(contracted[1]), invoice)]
        spec.signed_by_name = f"Technicien {contracted[0]}"
    else:
        spec.team = ref.teams[team_slug]
        member = crew.member(team_slug, people.DISPATCH[team_slug][in_house[1]][0])
        spec.technicians = [member]
        spec.time = crew.time([member], team_slug, day, hours)
    return spec


def _corrective_orders(crew, ref, organisation, gym: History, today: date, now: datetime) -> list[OrderSpec]:
    """The two réserves of the gym's electrical inspection: one fixed and validated, one planned."""
    received = gym.order.completed_at + timedelta(days=5)
    specs = []
    for n, (text, notes) in enumerate(FINDINGS):
        member = crew.member(people.EPCI, people.DISPATCH[people.EPCI]["electricite"][n])
        summary = " ".join(text.split())[:150]
        spec = OrderSpec(
            organisation=organisation,
            place=gym.place,
            trade=gym.plan.trade,
            title=f"Levée de réserve — {summary}",
            description=f"Réserve relevée lors de « {gym.plan.name} » (échéance du {gym.done_on:%d/%m/%Y}) :\n{text}",
            created_at=received,
            created_by=ref.users[f"gestionnaire.{SLUG}"],
            kind=WorkOrder.Kind.CORRECTIVE,
            priority=WorkOrder.Priority.HIGH,
            equipment=next((e for e in gym.place.equipment if e.category.code == "electricite"), None),
            team=ref.teams[people.EPCI],
            technicians=[member],
            planner=crew.chef_of(people.EPCI),
            planned_at=received + timedelta(days=1),
        )
        if notes:
            day = (received + timedelta(days=9)).date()
            while day.weekday() > 4:
                day += timedelta(days=1)
            spec.planned_start = spec.started_at = at(day, 8, 30)
            spec.planned_end = spec.completed_at = at(day, 10, 0)
            spec.validated_at = at(day + timedelta(days=2), 16, 0)
            spec.validator = crew.chef_of(people.EPCI)
            spec.time = crew.time([member], people.EPCI, day, Decimal("1.5"))
            spec.notes = notes
        else:
            day = today + timedelta(days=8)
            while day.weekday() > 4:
                day += timedelta(days=1)
            spec.planned_at = max(spec.planned_at, now - timedelta(days=2))
            spec.planned_start, spec.planned_end = at(day, 13, 30), at(day, 15, 0)
        specs.append(spec)
    return specs


def _report_and_findings(ref: Reference, gym: History, orders: list[WorkOrder]) -> None:
    occurrence = Occurrence.objects.get(plan=gym.plan, due_on=gym.done_on)
    pdf = _report_pdf(gym)
    document = document_attach(
        actor=None,
        target=gym.order,
        uploaded=SimpleUploadedFile("rapport-verification-electrique.pdf", pdf, content_type="application/pdf"),
        title=f"Rapport de vérification des installations électriques — {BUREAU}",
    )
    Occurrence.objects.filter(pk=occurrence.pk).update(report=document)
    claire = ref.users[f"gestionnaire.{SLUG}"]
    for (text, _notes), order in zip(FINDINGS, orders, strict=True):
        Finding.objects.create(
            organisation_id=order.organisation_id,
            occurrence=occurrence,
            building=gym.place.building,
            equipment=order.equipment,
            description=text,
            work_order=order,
            created_by=claire,
            created_at=order.created_at,
        )


def _report_pdf(gym: History) -> bytes:
    from weasyprint import HTML

    building = gym.place.building
    visited = timezone.localtime(gym.order.completed_at)
    items = "".join(f"<li>{text}</li>" for text, _notes in FINDINGS)
    html = f"""<!doctype html><html lang="fr"><head><meta charset="utf-8">
<title>Rapport de vérification périodique des installations électriques</title></head><body>
<h1>Rapport de vérification périodique des installations électriques</h1>
<p>{BUREAU} — organisme accrédité. Rapport n° RV-{visited:%Y}-0{visited:%m%d}.</p>
<p>Établissement : {building.name}, {building.site.address}, 85310 Nesmy. ERP de type X, 3e catégorie.</p>
<p>Visite du {visited:%d/%m/%Y}. Référentiel : règlement de sécurité ERP, article EL 19.</p>
<h2>Observations</h2><ol>{items}</ol>
<h2>Conclusion</h2><p>Installations conformes sous réserve de la levée des observations ci-dessus.</p>
</body></html>"""
    return HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")


def _new_building(ref: Reference, organisation) -> None:
    """A building the commune just acquired: its inventory is done, its checks not planned yet."""
    code, name, address = NEW_BUILDING["site"]
    site, _created = Site.objects.get_or_create(
        organisation=organisation,
        code=code,
        defaults={"name": name, "address": address, "postal_code": "85310", "city": "Nesmy"},
    )
    code, name, erp_type, category, year, surface = NEW_BUILDING["building"]
    building, _created = Building.objects.get_or_create(
        organisation=organisation,
        code=code,
        defaults={
            "site": site,
            "name": name,
            "address": address,
            "postal_code": "85310",
            "city": "Nesmy",
            "is_erp": True,
            "erp_type": erp_type,
            "erp_category": category,
            "construction_year": year,
            "surface_m2": surface,
        },
    )
    for code, label, category_code in NEW_BUILDING["equipment"]:
        Equipment.objects.get_or_create(
            organisation=organisation,
            code=code,
            defaults={
                "site": site,
                "building": building,
                "category": ref.categories[category_code],
                "name": label,
                "installed_on": date(2012, 9, 1),
            },
        )
