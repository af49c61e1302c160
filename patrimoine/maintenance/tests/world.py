"""A small world for the view tests: Nesmy's gym with three checks (one late, one due soon with last
year's report and two findings, one up to date), and Venansault's data no Nesmy user may see."""

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.utils import timezone
from django_scopes import scopes_disabled

from patrimoine.documents.models import Document
from patrimoine.maintenance.generation import generate_due
from patrimoine.maintenance.models import Finding, MaintenancePlan, Occurrence, StatutoryCheck
from patrimoine.maintenance.recurrence import PARIS
from patrimoine.organisations.models import Membership
from patrimoine.workorders.models import WorkOrder

from .conftest import at, make_plan

Role = Membership.Role
Status = WorkOrder.Status
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class World:
    org: object
    other: object
    users: dict
    gym: object
    team: object
    plans: dict
    done: Occurrence
    findings: list
    other_plan: MaintenancePlan
    other_building: object


def _done(occurrence: Occurrence, when) -> None:
    WorkOrder.objects.filter(pk=occurrence.work_order_id).update(
        status=Status.VALIDATED, started_at=when, completed_at=when, validated_at=when + timedelta(days=1)
    )


@scopes_disabled()
def build_world(f) -> World:
    today = timezone.localdate()
    org = f.organisation("Nesmy")
    other = f.organisation("Venansault")
    users = {role.value: f.user(f"{role.value}.nesmy", role=role, organisation=org) for role in Role}
    users["outsider"] = f.user("gestionnaire.venansault", role=Role.MANAGER, organisation=other)
    team = f.team(org, "Services techniques", lead=users["chef"], members=[users["technicien"]])
    gym = f.building(
        org, "Salle de sports de la Vallée", is_erp=True, erp_type="X", erp_category=3, construction_year=1989
    )
    extinguishers = f.category("extincteurs", "Extincteurs et RIA")
    electricity = f.category("electricite", "Électricité")
    board = f.equipment(gym, "Tableau général", category=electricity, code="TGBT")
    f.equipment(gym, "Extincteur hall", category=extinguishers, code="EX1")
    contractor = f.contractor(org, "Bureau Atlantique Vérifications")
    checks = {c.code: c for c in StatutoryCheck.objects.all()}
    plans = {
        "late": make_plan(
            org,
            building=gym,
            category=extinguishers,
            name="Vérification annuelle des extincteurs",
            statutory_check=checks.get("extincteurs-verification"),
            dtstart=at(today - timedelta(days=24)),
        ),
        "soon": make_plan(
            org,
            building=gym,
            name="Vérification des installations électriques",
            statutory_check=checks.get("elec-erp"),
            contractor=contractor,
            dtstart=at(today + timedelta(days=26) - timedelta(days=365)),
            trade=f.trade("electricite", "Électricité"),
        ),
        "fine": make_plan(
            org,
            building=gym,
            name="Visite d'entretien des portes",
            rrule="FREQ=MONTHLY;INTERVAL=6",
            team=team,
            dtstart=at(today - timedelta(days=20)),
        ),
    }
    generate_due(today=today - timedelta(days=366))  # last year's round
    done = Occurrence.objects.get(plan=plans["soon"], due_on=plans["soon"].dtstart.astimezone(PARIS).date())
    _done(done, at(done.due_on - timedelta(days=2), 10))
    fine = Occurrence.objects.filter(plan=plans["fine"]).order_by("due_on").first()
    generate_due(today=today)
    fine.refresh_from_db()
    _done(fine, at(fine.due_on, 9))
    document = Document(
        organisation=org,
        content_type=ContentType.objects.get_for_model(WorkOrder),
        object_id=done.work_order_id,
        kind=Document.Kind.DOCUMENT,
        title="Rapport de vérification électrique",
        original_name="rapport.pdf",
        mime_type="application/pdf",
        size=len(PDF),
    )
    document.file.save("rapport.pdf", ContentFile(PDF), save=False)
    document.save()
    Occurrence.objects.filter(pk=done.pk).update(report=document)
    findings = []
    for text, status in (("Obturateurs absents", Status.VALIDATED), ("BAES hors service côté parking", Status.PLANNED)):
        order = f.work_order(
            org,
            title=f"Levée de réserve — {text}",
            building_obj=gym,
            status=status,
            validated_at=timezone.now() if status == Status.VALIDATED else None,
        )
        findings.append(
            Finding.objects.create(
                organisation=org, occurrence=done, building=gym, equipment=board, description=text, work_order=order
            )
        )
    other_building = f.building(other, "Gymnase Zyxwvu", is_erp=True, erp_type="X", erp_category=3)
    other_plan = make_plan(other, building=other_building, name="Plan Zyxwvu", dtstart=at(today + timedelta(days=5)))
    generate_due(today=today, organisation_ids=[other.pk])
    done.refresh_from_db()
    return World(org, other, users, gym, team, plans, done, findings, other_plan, other_building)
