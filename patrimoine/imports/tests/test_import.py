"""The import engine through its services: every kind, saved mappings, XLSX, and all-or-nothing."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django_scopes import scopes_disabled
from openpyxl import Workbook

from conftest import access_of
from patrimoine.assets.models import Building, Equipment, Level, Site, Space
from patrimoine.contractors.models import Contractor
from patrimoine.core.errors import DomainError, PermissionRefused
from patrimoine.core.models import AuditEntry
from patrimoine.imports import services
from patrimoine.imports.models import ColumnMapping, ImportJob, Kind
from patrimoine.organisations.models import Membership
from patrimoine.stock.models import Item
from patrimoine.workorders.models import WorkOrder

pytestmark = pytest.mark.django_db

BUILDINGS_CSV = (
    "Code bâtiment;Libellé;Adresse;Code postal;Ville;Surface (m²);Année de construction;ERP;Type ERP;Catégorie ERP\n"
    "GS-JF;École Jules-Ferry;12 rue des Écoles;85190;Venansault;1 234,50;1975;oui;R;4\n"
    "MAI;Mairie;1 place de la Mairie;85190;Venansault;\u202f845,00;1890;oui;W;5\n"
    "GYM;Salle de sport;Rue du Stade;85190;Venansault;2\u00a0100;2004;non;;\n"
)


def _check(access, kind, content, filename="export.csv", mapping=None, save_as="", mapping_name=""):
    job = services.job_create(access=access, kind=kind, filename=filename, content=content, mapping_name=mapping_name)
    services.job_check(access=access, job=job, mapping=mapping or job.mapping, save_as=save_as)
    return services.job_verify(job.pk)  # what the worker runs (on_commit does not fire in these tests)


def _import(access, kind, content, **kwargs):
    job = _check(access, kind, content, **kwargs)
    assert job.errors == [], job.errors
    with scopes_disabled():
        ImportJob._base_manager.filter(pk=job.pk).update(status=ImportJob.Status.QUEUED)
        return services.job_run(job.pk)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_buildings_import_in_each_encoding(manager, commune, unscoped, encoding):
    access = access_of(manager, commune)
    job = _import(access, Kind.BUILDINGS, BUILDINGS_CSV.replace("\u202f", " ").replace("\u00a0", " ").encode(encoding))
    assert job.status == ImportJob.Status.DONE
    assert job.counts == {"buildings": 3, "sites": 3}
    school = Building.objects.get(organisation=commune, code="GS-JF")
    assert (school.name, school.surface_m2, school.construction_year) == ("École Jules-Ferry", Decimal("1234.50"), 1975)
    assert (school.is_erp, school.erp_type, school.erp_category, school.site.code) == (True, "R", 4, "GS-JF")
    assert Building.objects.get(code="GYM").surface_m2 == Decimal("2100")
    assert AuditEntry.objects.filter(action="building.create", organisation=commune).count() == 3


def test_dry_run_reports_what_would_be_created_and_writes_nothing(manager, commune, unscoped):
    job = _check(access_of(manager, commune), Kind.BUILDINGS, BUILDINGS_CSV.encode())
    assert job.status == ImportJob.Status.CHECKED and job.errors == []
    assert job.counts == {"buildings": 3, "sites": 3}
    assert job.preview["columns"][:2] == ["Code bâtiment", "Libellé"]
    assert job.preview["rows"][0] == [2, ["GS-JF", "École Jules-Ferry", *job.preview["rows"][0][1][2:]]]
    assert not Building.objects.exists() and not Site.objects.exists()


def test_a_file_with_errors_commits_nothing_and_reports_every_error(manager, commune, f, unscoped):
    f.building(commune, code="MAI")
    content = (
        "Code bâtiment;Libellé;Surface (m²);Date mise en service;Code site\n"  # line 1
        "B1;École;12,5;;\n"  # 2: fine
        "B2;;abc;;\n"  # 3: name missing, surface unreadable
        "MAI;Mairie bis;10;;\n"  # 4: code taken by an existing building
        "B1;Doublon;10;;\n"  # 5: same code as line 2 of the file
        "B5;Gymnase;-4;;\n"  # 6: negative surface
        "B6;Salle;10;;S-INEXISTANT\n"  # 7: fine (its site is created)
    ).encode()
    job = _check(access_of(manager, commune), Kind.BUILDINGS, content)
    errors = [(e["line"], e["column"], e["value"], e["reason"]) for e in job.errors]
    assert errors[0] == (3, "Libellé", "", "Valeur obligatoire manquante.")
    assert errors[1] == (3, "Surface (m²)", "abc", "Nombre illisible (exemple attendu : 1 234,50).")
    assert errors[2][:3] == (4, "Code bâtiment", "MAI") and "déjà utilisé" in errors[2][3]
    assert errors[3][:3] == (5, "Code bâtiment", "B1") and "déjà utilisé" in errors[3][3]
    assert errors[4][0] == 6 and "surface" in errors[4][3]
    assert len(errors) == 5
    assert set(Building.objects.values_list("code", flat=True)) == {"MAI"}
    with pytest.raises(DomainError, match="Corrigez les erreurs"):
        services.job_queue(access=access_of(manager, commune), job=job)


def test_spaces_resolve_their_building_by_code_and_create_missing_levels(manager, commune, f, unscoped):
    school = f.building(commune, code="GS-JF")
    f.level(school, "Rez-de-chaussée")
    content = (
        "Code bâtiment;Niveau;Libellé;Code local;Surface\n"
        "GS-JF;;Cantine;C01;120,5\nGS-JF;Étage 1;Classe CP;E101;55\nXX;;Perdu;;\n"
    )
    job = _check(access_of(manager, commune), Kind.SPACES, content.encode())
    assert [(e["line"], e["column"], e["value"]) for e in job.errors] == [(4, "Code bâtiment", "XX")]
    assert "Aucun bâtiment" in job.errors[0]["reason"]
    job = _import(access_of(manager, commune), Kind.SPACES, content.encode().rsplit(b"XX", 1)[0])
    assert job.counts == {"spaces": 2, "levels": 1}
    assert set(Level.objects.filter(building=school).values_list("name", flat=True)) == {"Rez-de-chaussée", "Étage 1"}
    assert Space.objects.get(code="E101").level.name == "Étage 1"


def test_equipment_by_building_code_family_and_french_date(manager, commune, f, unscoped):
    school = f.building(commune, code="GS-JF")
    content = (
        "Code équipement,Libellé,Famille,Code bâtiment,Marque,Date mise en service\n"
        "CH-01,Chaudière gaz,Chauffage,GS-JF,De Dietrich,15/09/2012\n"
        "EXT-7,Extincteur hall,extincteurs,GS-JF,,2020-03-01\n"
        "XX-1,Inconnu,Téléporteur,GS-JF,,\n"
    )
    job = _check(access_of(manager, commune), Kind.EQUIPMENT, content.encode())
    assert [(e["line"], e["column"], e["value"]) for e in job.errors] == [(4, "Famille", "Téléporteur")]
    job = _import(access_of(manager, commune), Kind.EQUIPMENT, content.rsplit("XX-1", 1)[0].encode())
    boiler = Equipment.objects.get(code="CH-01")
    assert (boiler.building, boiler.site, boiler.category.code) == (school, school.site, "cvc-chauffage")
    assert boiler.installed_on == date(2012, 9, 15)
    assert Equipment.objects.get(code="EXT-7").installed_on == date(2020, 3, 1)


def test_stock_items_and_contractors(manager, commune, unscoped):
    access = access_of(manager, commune)
    _import(access, Kind.ITEMS, "Référence;Désignation;Unité;Famille\nJ20;Joint fibre 20/27;u;Plomberie\n".encode())
    assert Item.objects.get(organisation=commune, reference="J20").category == "Plomberie"
    content = (
        "Raison sociale;SIRET;Courriel;Téléphone;Corps de métier\n"
        "Dupont Plomberie;123 456 789 00012;contact@dupont.fr;02 51 00 00 00;Plomberie, CVC / chauffage\n"
    )
    _import(access, Kind.CONTRACTORS, content.encode())
    dupont = Contractor.objects.get(organisation=commune)
    assert dupont.siret == "12345678900012"
    assert set(dupont.trades.values_list("code", flat=True)) == {"plomberie", "cvc"}
    job = _check(access, Kind.CONTRACTORS, b"Raison sociale;SIRET;Courriel\nAutre;123;pas-un-mail\n")
    assert [(e["column"], e["value"]) for e in job.errors] == [("SIRET", "123")]


def test_historical_work_orders_keep_their_dates_status_and_costs(manager, commune, f, unscoped):
    school = f.building(commune, code="GS-JF")
    f.equipment(school, code="CH-01")
    content = (
        "N° BT;Objet;Corps de métier;Code équipement;Date demande;Date de fin;Statut;Coût MO;Fournitures;Montant HT\n"
        "OT-2019-12;Fuite chaudière;Plomberie;CH-01;03/01/2019;05/01/2019;Clôturé;120,00;35,50;0\n"
        "OT-2019-13;Repeindre préau;peinture;;10/02/2019;;annulé;;;\n"
    )
    _import(access_of(manager, commune), Kind.WORKORDERS, content.encode())
    leak = WorkOrder.objects.get(title="Fuite chaudière")
    assert leak.status == WorkOrder.Status.VALIDATED and leak.building == school
    assert (leak.labour_cost, leak.material_cost, leak.total_cost) == (
        Decimal("120"),
        Decimal("35.50"),
        Decimal("155.50"),
    )
    assert leak.created_at.date() == date(2019, 1, 3) and leak.validated_at.date() == date(2019, 1, 5)
    assert "OT-2019-12" in leak.description
    assert WorkOrder.objects.get(title="Repeindre préau").status == WorkOrder.Status.CANCELLED


def test_a_mapping_saved_for_one_file_is_reused_for_the_next(manager, commune, unscoped):
    access = access_of(manager, commune)
    content = "Réf;Désignation;Zone\nB1;École;Venansault\n".encode()
    job = services.job_create(access=access, kind=Kind.BUILDINGS, filename="gmao.csv", content=content)
    assert job.mapping == {"0": "code", "1": "name"}  # « Zone » is not a known header
    services.job_check(access=access, job=job, mapping={"0": "code", "1": "name", "2": "city"}, save_as="Export GMAO")
    assert ColumnMapping.objects.get(organisation=commune, name="Export GMAO").columns == {
        "ref": "code",
        "designation": "name",
        "zone": "city",
    }
    again = "Désignation;Zone;Réf\nMairie;Venansault;B2\n".encode()  # other column order
    job = services.job_create(
        access=access, kind=Kind.BUILDINGS, filename="gmao2.csv", content=again, mapping_name="Export GMAO"
    )
    assert job.mapping == {"0": "name", "1": "city", "2": "code"}


def test_required_fields_must_be_mapped(manager, commune):
    access = access_of(manager, commune)
    job = services.job_create(access=access, kind=Kind.BUILDINGS, filename="x.csv", content=b"Code;Truc\nB1;x\n")
    with pytest.raises(DomainError, match="Libellé"):
        services.job_check(access=access, job=job, mapping=job.mapping)


def test_xlsx_import(manager, commune, unscoped):
    workbook = Workbook()
    workbook.active.append(["Code bâtiment", "Libellé", "Surface (m²)", "Année de construction"])
    workbook.active.append(["B1", "École", 1234.5, 1975])
    workbook.active.append(["B2", "Mairie", "98,5", None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    job = _import(access_of(manager, commune), Kind.BUILDINGS, buffer.getvalue(), filename="export.xlsx")
    assert job.file_format == "xlsx" and job.counts["buildings"] == 2
    assert Building.objects.get(code="B1").surface_m2 == Decimal("1234.50")
    assert Building.objects.get(code="B2").surface_m2 == Decimal("98.50")


def test_formula_injection_is_kept_as_plain_text(manager, commune, unscoped):
    content = "Code bâtiment;Libellé\nB1;=cmd|' /C calc'!A0\nB2;@SUM(1+1)\n".encode()
    _import(access_of(manager, commune), Kind.BUILDINGS, content)
    assert Building.objects.get(code="B1").name == "=cmd|' /C calc'!A0"
    assert Building.objects.get(code="B2").name == "@SUM(1+1)"


@pytest.mark.parametrize("role", [Membership.Role.TECHNICIAN, Membership.Role.READER, Membership.Role.TEAM_LEAD])
def test_roles_without_the_import_action_are_refused(f, commune, role):
    person = f.user(role=role, organisation=commune)
    with pytest.raises(PermissionRefused):
        services.job_create(
            access=access_of(person, commune), kind=Kind.BUILDINGS, filename="x.csv", content=b"a;b\n1;2\n"
        )


def test_the_worker_refuses_a_job_whose_author_left_the_organisation(manager, commune, unscoped):
    job = _check(access_of(manager, commune), Kind.BUILDINGS, BUILDINGS_CSV.encode())
    ImportJob._base_manager.filter(pk=job.pk).update(status=ImportJob.Status.QUEUED)
    Membership.objects.filter(user=manager).update(is_active=False)
    job = services.job_run(job.pk)
    assert job.status == ImportJob.Status.FAILED and "n'agit plus" in job.failure
    assert not Building.objects.exists()
