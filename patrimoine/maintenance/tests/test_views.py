"""Pages: compliance (organisation, building), registre PDF, catalogue, plans, inspections, calendars,
preferences. Every module checks another commune's user sees nothing."""

import re
import zlib
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from conftest import access_of
from patrimoine.maintenance.models import Finding, MaintenancePlan, Occurrence
from patrimoine.maintenance.views.compliance import register_context
from patrimoine.workorders.models import WorkOrder

from .world import PDF, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(f, catalogue):
    return build_world(f)


def _plans_count():
    with scopes_disabled():
        return (
            MaintenancePlan.objects.count(),
            Occurrence.objects.count(),
            WorkOrder.objects.count(),
            Finding.objects.count(),
        )


# --- Compliance of the organisation --------------------------------------------------------------


def test_manager_sees_late_and_coming_checks(world, login):
    client = login(world.users["gestionnaire"])
    response = client.get(reverse("maintenance:compliance"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Vérification annuelle des extincteurs" in body and "Vérification des installations électriques" in body
    summary = response.context["summary"]
    assert [s.plan for s in summary.overdue] == [world.plans["late"]]
    assert [s.plan for s in summary.due_soon] == [world.plans["soon"]]
    assert summary.open_findings == 1
    assert "Zyxwvu" not in body


@pytest.mark.parametrize("role", ["lecteur", "chef", "technicien", "admin"])
def test_readers_and_teams_see_compliance(world, login, role):
    assert login(world.users[role]).get(reverse("maintenance:compliance")).status_code == 200


@pytest.mark.parametrize("role", ["demandeur", "prestataire"])
def test_requesters_and_contractors_do_not(world, login, role):
    assert login(world.users[role]).get(reverse("maintenance:compliance")).status_code == 403


def test_filter_by_status_and_name(world, login, f):
    f.building(world.org, "Mairie")
    client = login(world.users["gestionnaire"])
    rows = client.get(reverse("maintenance:compliance"), {"statut": "en_retard"}).context["page"].object_list
    assert [r.building for r in rows] == [world.gym]
    rows = client.get(reverse("maintenance:compliance"), {"q": "mairie"}).context["page"].object_list
    assert [r.building.name for r in rows] == ["Mairie"]
    partial = client.get(reverse("maintenance:compliance"), {"q": "mairie"}, HTTP_HX_REQUEST="true")
    assert "<h1>" not in partial.content.decode() and "Mairie" in partial.content.decode()


def test_compliance_page_query_count_does_not_grow_with_buildings(world, login, f, django_assert_max_num_queries):
    client = login(world.users["gestionnaire"])
    ext = f.category("extincteurs")

    def add(n):
        for i in range(n):
            building = f.building(
                world.org,
                f"École {n}-{i}",
                is_erp=True,
                erp_type="R",
                erp_category=4,
            )
            f.equipment(building, "Extincteur", category=ext)
            from .conftest import make_plan

            make_plan(world.org, building=building, category=ext, name="Extincteurs")

    add(3)
    with django_assert_max_num_queries(40) as few:
        client.get(reverse("maintenance:compliance"))
    add(27)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("maintenance:compliance"))
    assert response.context["page"].paginator.count == 31


# --- One building ------------------------------------------------------------------------------


def test_building_page_lists_checks_report_and_findings(world, login):
    response = login(world.users["gestionnaire"]).get(reverse("maintenance:building-compliance", args=[world.gym.pk]))
    assert response.status_code == 200
    compliance = response.context["compliance"]
    statuses = {r.check.code if r.check else None: r.status for r in compliance.requirements}
    assert statuses["extincteurs-verification"] == "en_retard"
    assert statuses["elec-erp"] == "a_echeance"
    body = response.content.decode()
    assert reverse("documents:download", args=[world.done.report_id]) in body
    assert "Obturateurs absents" in body and "Levée" in body and "À lever" in body
    assert [s.plan for s in compliance.other_plans] == [world.plans["fine"]]


def test_required_checks_without_a_plan_show_as_not_planned(world, login):
    response = login(world.users["gestionnaire"]).get(reverse("maintenance:building-compliance", args=[world.gym.pk]))
    missing = [r for r in response.context["compliance"].requirements if r.status == "non_planifie"]
    assert "erp-commission-securite" in {r.check.code for r in missing}  # ERP X, 3rd category


def test_another_communes_building_is_not_found(world, login):
    client = login(world.users["gestionnaire"])
    for name in ("building-compliance", "building-register", "building-catalogue", "building-calendar"):
        assert client.get(reverse(f"maintenance:{name}", args=[world.other_building.pk])).status_code == 404


def test_registre_de_securite_is_a_pdf_from_the_compliance_data(world, login):
    response = login(world.users["lecteur"]).get(reverse("maintenance:building-register", args=[world.gym.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = response.content
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    objects = _inflated(pdf)  # WeasyPrint packs its objects in compressed streams
    assert b"/StructTreeRoot" in objects and b"/Lang (fr)" in objects  # tagged, in French (PDF/UA)
    assert len(re.findall(rb"/Type /Page\b", objects)) >= 1
    # The text comes from this HTML (checked here; the PDF's text streams are compressed).
    from django.template.loader import render_to_string

    with scopes_disabled():
        html = render_to_string(
            "maintenance/register_pdf.html",
            register_context(access_of(world.users["lecteur"], world.org), world.gym, timezone.localdate()),
        )
    for text in (
        "Registre de sécurité",
        "Salle de sports de la Vallée",
        "Vérification annuelle des extincteurs",
        "En retard",
        "Obturateurs absents",
        "Rapport de vérification électrique",
        "Bureau Atlantique Vérifications",
    ):
        assert text in html, text
    from weasyprint import HTML

    assert len(HTML(string=html).render().pages) >= 1


def _inflated(pdf: bytes) -> bytes:
    chunks = [pdf]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            chunks.append(zlib.decompress(stream))
        except zlib.error:
            continue
    return b"\n".join(chunks)


# --- The catalogue applied to a building -------------------------------------------------------


def test_catalogue_proposes_the_checks_and_creates_the_chosen_plans(world, login):
    client = login(world.users["gestionnaire"])
    url = reverse("maintenance:building-catalogue", args=[world.gym.pk])
    form = client.get(url).context["form"]
    ticked = {name[6:] for name, field in form.fields.items() if name.startswith("check_") and field.initial}
    assert "erp-commission-securite" in ticked and "extincteurs-verification" not in ticked  # already planned
    due = (timezone.localdate() + timedelta(days=90)).isoformat()
    before = _plans_count()[0]
    response = client.post(url, {"check_erp-commission-securite": "on", "due_erp-commission-securite": due})
    assert response.status_code == 302
    with scopes_disabled():
        plan = MaintenancePlan.objects.get(building=world.gym, statutory_check__code="erp-commission-securite")
    assert plan.rrule == "FREQ=YEARLY;INTERVAL=3" and _plans_count()[0] == before + 1


def test_a_reader_cannot_apply_the_catalogue(world, login):
    before = _plans_count()
    response = login(world.users["lecteur"]).post(
        reverse("maintenance:building-catalogue", args=[world.gym.pk]),
        {"check_erp-commission-securite": "on", "due_erp-commission-securite": "2030-01-01"},
    )
    assert response.status_code == 403 and _plans_count() == before


# --- Plans -------------------------------------------------------------------------------------


def test_plan_list_filters_and_hides_other_communes(world, login):
    client = login(world.users["gestionnaire"])
    response = client.get(reverse("maintenance:plan-list"))
    names = [plan.name for plan, _status in response.context["rows"]]
    assert "Plan Zyxwvu" not in names and len(names) == 3
    response = client.get(reverse("maintenance:plan-list"), {"reglementaire": "oui"})
    assert {plan.name for plan, _s in response.context["rows"]} == {world.plans["late"].name, world.plans["soon"].name}


def test_plan_list_query_count_is_constant(world, login, django_assert_max_num_queries):
    from .conftest import make_plan

    client = login(world.users["gestionnaire"])
    with django_assert_max_num_queries(30) as few:
        client.get(reverse("maintenance:plan-list"))
    for n in range(27):
        make_plan(world.org, building=world.gym, name=f"Plan {n}", team=world.team)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("maintenance:plan-list"))
    assert response.context["page"].paginator.count == 30


def test_creating_a_plan_from_the_form(world, login):
    client = login(world.users["gestionnaire"])
    with scopes_disabled():
        trade = world.plans["fine"].trade
    response = client.post(
        reverse("maintenance:plan-create"),
        {
            "name": "Entretien de la centrale de traitement d'air",
            "building": world.gym.pk,
            "trigger": "calendrier",
            "interval": "6",
            "frequency": "MONTHLY",
            "first_due": (timezone.localdate() + timedelta(days=40)).isoformat(),
            "at_time": "09:00",
            "lead_days": "15",
            "trade": trade.pk,
            "team": world.team.pk,
            "priority": "2_normale",
            "checklist": "Filtres\nCourroies",
        },
    )
    assert response.status_code == 302, response.content.decode()
    with scopes_disabled():
        plan = MaintenancePlan.objects.get(name="Entretien de la centrale de traitement d'air")
    assert (plan.rrule, plan.lead_days, plan.team_id) == ("FREQ=MONTHLY;INTERVAL=6", 15, world.team.pk)
    assert timezone.localtime(plan.dtstart).hour == 9


def test_an_invalid_plan_shows_a_french_error_and_creates_nothing(world, login):
    before = _plans_count()
    response = login(world.users["gestionnaire"]).post(
        reverse("maintenance:plan-create"),
        {
            "name": "Sans rien",
            "trigger": "calendrier",
            "first_due": "2030-01-01",
            "lead_days": "10",
            "trade": "",
            "priority": "2_normale",
        },
    )
    assert response.status_code == 400 and _plans_count() == before
    assert "Ce champ est obligatoire" in response.content.decode()
    response = login(world.users["gestionnaire"]).post(
        reverse("maintenance:plan-create"),
        {
            "name": "Sans lieu",
            "trigger": "calendrier",
            "first_due": "2030-01-01",
            "lead_days": "10",
            "trade": world.plans["fine"].trade_id,
            "priority": "2_normale",
            "frequency": "YEARLY",
            "interval": "1",
        },
    )
    assert response.status_code == 400 and "Choisissez un bâtiment" in response.content.decode()


@pytest.mark.parametrize("role", ["chef", "technicien", "lecteur"])
def test_only_managers_open_the_plan_form(world, login, role):
    client = login(world.users[role])
    assert client.get(reverse("maintenance:plan-create")).status_code == 403
    assert client.get(reverse("maintenance:plan-edit", args=[world.plans["late"].pk])).status_code == 403


def test_editing_with_a_stale_version_is_refused(world, login):
    plan = world.plans["fine"]
    client = login(world.users["gestionnaire"])
    data = {
        key: value
        for key, value in client.get(reverse("maintenance:plan-edit", args=[plan.pk])).context["form"].initial.items()
        if value is not None
    }
    data.update(
        version=plan.version - 1 if plan.version > 1 else 99,
        name="Autre nom",
        trade=plan.trade_id,
        team=world.team.pk,
        building=world.gym.pk,
        first_due=data["first_due"].isoformat(),
        at_time="08:00",
    )
    response = client.post(reverse("maintenance:plan-edit", args=[plan.pk]), data)
    assert response.status_code == 409
    with scopes_disabled():
        assert MaintenancePlan.objects.get(pk=plan.pk).name == plan.name


def test_another_communes_plan_is_not_found(world, login):
    client = login(world.users["gestionnaire"])
    for name in ("plan-detail", "plan-edit", "plan-archive"):
        assert client.get(reverse(f"maintenance:{name}", args=[world.other_plan.pk])).status_code == 404


def test_plan_detail_shows_rule_and_due_dates(world, login):
    response = login(world.users["technicien"]).get(reverse("maintenance:plan-detail", args=[world.plans["soon"].pk]))
    assert response.status_code == 200
    assert response.context["rule_text"] == "Chaque année" and len(response.context["preview"]) == 3
    assert "Modifier" not in response.content.decode()


def test_a_technician_records_a_reading_that_opens_an_order(world, login, f):
    from decimal import Decimal

    from .conftest import make_plan

    plan = make_plan(
        world.org,
        equipment=f.equipment(world.gym, "Chaudière"),
        trigger=MaintenancePlan.Trigger.METER,
        meter_unit="h",
        meter_every=Decimal("500"),
    )
    client = login(world.users["technicien"])
    response = client.post(reverse("maintenance:plan-reading", args=[plan.pk]), {"value": "510"}, follow=True)
    assert "seuil atteint" in response.content.decode()
    with scopes_disabled():
        assert WorkOrder.objects.filter(maintenance_occurrence__plan=plan).count() == 1


# --- One inspection: report and findings -----------------------------------------------------


def test_manager_attaches_the_report_and_records_a_finding(world, login):
    client = login(world.users["gestionnaire"])
    with scopes_disabled():
        occurrence = Occurrence.objects.get(plan=world.plans["fine"], work_order__status="valide")
    url = reverse("maintenance:occurrence-report", args=[occurrence.pk])
    assert client.post(url, {"file": SimpleUploadedFile("rapport.pdf", PDF)}).status_code == 302
    response = client.post(
        reverse("maintenance:occurrence-finding", args=[occurrence.pk]),
        {"description": "Cellule de la porte sectionnelle inopérante", "priority": "3_haute"},
        follow=True,
    )
    assert "Réserve enregistrée" in response.content.decode()
    with scopes_disabled():
        occurrence.refresh_from_db()
        finding = Finding.objects.get(description__startswith="Cellule")
        assert occurrence.report_id is not None
        assert (finding.work_order.kind, finding.work_order.priority) == ("curatif", "3_haute")


def test_a_reader_records_no_finding(world, login):
    before = _plans_count()
    response = login(world.users["lecteur"]).post(
        reverse("maintenance:occurrence-finding", args=[world.done.pk]), {"description": "x", "priority": "2_normale"}
    )
    assert response.status_code == 403 and _plans_count() == before


def test_another_communes_inspection_is_not_found(world, login):
    with scopes_disabled():
        occurrence = Occurrence.objects.filter(plan=world.other_plan).first()
    client = login(world.users["gestionnaire"])
    assert client.get(reverse("maintenance:occurrence-detail", args=[occurrence.pk])).status_code == 404
    assert (
        client.post(reverse("maintenance:occurrence-finding", args=[occurrence.pk]), {"description": "x"}).status_code
        == 404
    )


def test_a_lower_reading_is_refused_on_the_page_and_nothing_is_recorded(world, login, f):
    from decimal import Decimal

    from patrimoine.maintenance.models import MeterReading

    from .conftest import make_plan

    plan = make_plan(
        world.org, building=world.gym, trigger=MaintenancePlan.Trigger.METER, meter_unit="h", meter_every=Decimal("500")
    )
    client = login(world.users["technicien"])
    client.post(reverse("maintenance:plan-reading", args=[plan.pk]), {"value": "320"})
    response = client.post(reverse("maintenance:plan-reading", args=[plan.pk]), {"value": "300"})
    assert response.status_code == 400 and "inférieur au précédent" in response.content.decode()
    with scopes_disabled():
        assert list(MeterReading.objects.filter(plan=plan).values_list("value", flat=True)) == [Decimal("320")]


def test_a_reader_records_no_reading(world, login):
    response = login(world.users["lecteur"]).post(
        reverse("maintenance:plan-reading", args=[world.plans["late"].pk]), {"value": "1"}
    )
    assert response.status_code == 403
