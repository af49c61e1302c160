"""export_tenant / import_tenant: the round trip, imports beside existing data, refused archives,
and what an archive holds (nothing of another commune)."""

import json
import zipfile
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import CommandError, call_command
from django_scopes import scopes_disabled

from patrimoine.accounts.models import User
from patrimoine.core.reference_data import load_reference_data
from patrimoine.costs.models import MaterialLine, TimeEntry
from patrimoine.documents.models import Document
from patrimoine.intake.models import WorkRequest
from patrimoine.organisations.models import Organisation, Team
from patrimoine.reversibility import importer
from patrimoine.reversibility.archive import ArchiveRefused
from patrimoine.reversibility.importer import import_tenant
from patrimoine.reversibility.registry import owned_tables
from patrimoine.stock.models import Item, StockMovement
from patrimoine.workorders.models import WorkOrder

from .world import agglomeration

pytestmark = pytest.mark.django_db


def _manifest(path: Path) -> dict:
    return json.loads(zipfile.ZipFile(path).read("manifest.json"))


def _rows(path: Path, name: str) -> list[dict]:
    return [json.loads(line) for line in zipfile.ZipFile(path).read(name).decode().splitlines()]


def _export(org, path: Path) -> dict:
    call_command("export_tenant", org.slug, str(path))
    return _manifest(path)


def _snapshot() -> tuple:
    """Everything an import could write: rows of every table, and the stored files."""
    with scopes_disabled():
        counts = tuple(
            (m._meta.label, m._base_manager.count()) for m in apps.get_models() if m._meta.app_label != "sessions"
        )
    media = Path(settings.MEDIA_ROOT)
    files = sorted(str(p) for p in media.rglob("*") if p.is_file()) if media.exists() else []
    return counts, files


@pytest.mark.django_db(transaction=True)
def test_round_trip_into_an_empty_database_gives_the_same_manifest(f, tmp_path):
    world = agglomeration(f)
    org = world.communes["Alpha"]["org"]
    first = _export(org, tmp_path / "premier.zip")
    epci = _export(world.epci, tmp_path / "epci.zip")
    assert first["comptes"]["donnees/workorders.workorder.jsonl"] == 2
    assert first["comptes"]["donnees/documents.document.jsonl"] == 2
    assert len([n for n in first["fichiers"] if n.startswith("fichiers/")]) == 3  # photo, PDF, signature

    call_command("flush", interactive=False)
    load_reference_data()
    assert not Organisation.objects.exists() and not User.objects.exists()

    call_command("import_tenant", str(tmp_path / "premier.zip"))
    second = _export(Organisation.objects.get(slug=org.slug), tmp_path / "second.zip")

    assert second["comptes"] == first["comptes"]
    assert second["fichiers"] == first["fichiers"]  # every file, byte for byte (SHA-256)
    with scopes_disabled():
        assert WorkOrder.objects.get(title="Chauffage Alpha").team.name == "Régie mutualisée"  # a shell
        assert not User.objects.get(username="admin.aubigny").has_usable_password()
        assert Organisation.objects.get(slug=world.epci.slug).is_active is False

    # The whole agglomeration moves too: the EPCI's own archive fills in the empty shell.
    call_command("import_tenant", str(tmp_path / "epci.zip"))
    assert (
        _export(Organisation.objects.get(slug=world.epci.slug), tmp_path / "epci2.zip")["fichiers"] == epci["fichiers"]
    )
    with scopes_disabled():
        assert Team.objects.get(name="Régie mutualisée").members.count() == 1  # the shell, not a second team
        assert WorkOrder.objects.get(title="Chauffage Alpha").team.organisation.is_active


def test_import_beside_the_original_remaps_colliding_ids_and_keeps_both(f, tmp_path):
    world = agglomeration(f)
    alpha = world.communes["Alpha"]
    original = _export(alpha["org"], tmp_path / "a.zip")
    users_before = User.objects.count()

    with open(tmp_path / "a.zip", "rb") as source:
        report = import_tenant(source, as_slug="aubigny-copie")

    copy = Organisation.objects.get(slug="aubigny-copie")
    assert copy.name == "Aubigny (aubigny-copie)" and report.remapped > 20
    with scopes_disabled():
        orders = WorkOrder.objects.filter(title="Réparer Alpha")
        assert {o.organisation_id for o in orders} == {alpha["org"].pk, copy.pk}
        mine = orders.get(organisation=copy)
        assert mine.pk != alpha["order"].pk and mine.reference == alpha["order"].reference
        request = WorkRequest.objects.get(organisation=copy, description="Fuite Alpha")
        assert request.work_order_id == mine.pk  # a link set in the second pass follows the new id
        assert WorkRequest.objects.get(organisation=copy, description="Encore Alpha").duplicate_of_id == request.pk
        quote = Document.objects.get(organisation=copy, title="Devis Alpha")
        assert quote.object_id == mine.pk and quote.file.read() == b"%PDF-1.4 Alpha"
        assert quote.file.name != alpha["documents"][1].file.name
        line = MaterialLine.objects.get(organisation=copy, work_order=mine)
        assert StockMovement.objects.get(organisation=copy).material_line_id == line.pk  # a plain UUID column
        tokens = set(TimeEntry.objects.exclude(client_uuid=None).values_list("client_uuid", flat=True))
        assert len(tokens) == 3  # Alpha's, Zyxwvu's and the copy's renewed idempotency key
        assert Team.objects.filter(name="Régie mutualisée").count() == 1  # the EPCI's team, matched
        assert WorkOrder.objects.get(organisation=copy, title="Chauffage Alpha").team == world.objects["shared_team"]
        assert Item.objects.filter(reference="PLB-TEMPO").count() == 1
    assert User.objects.count() == users_before  # matched by username

    again = _export(copy, tmp_path / "copie.zip")
    assert again["comptes"] == original["comptes"]


def test_a_tampered_archive_is_refused_and_nothing_is_written(f, tmp_path):
    world = agglomeration(f)
    _export(world.communes["Alpha"]["org"], tmp_path / "a.zip")
    tampered = tmp_path / "altere.zip"
    with zipfile.ZipFile(tmp_path / "a.zip") as source, zipfile.ZipFile(tampered, "w") as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "donnees/workorders.workorder.jsonl":
                content = content.replace("Réparer Alpha".encode(), "Réparer Bêta".encode())
            target.writestr(info, content)
    before = _snapshot()

    with pytest.raises(CommandError, match="empreinte SHA-256 de « donnees/workorders.workorder.jsonl »"):
        call_command("import_tenant", str(tampered), "--as", "copie")

    assert _snapshot() == before


def test_an_archive_with_an_unlisted_file_or_not_a_zip_is_refused(f, tmp_path):
    world = agglomeration(f)
    _export(world.communes["Alpha"]["org"], tmp_path / "a.zip")
    with zipfile.ZipFile(tmp_path / "a.zip", "a") as archive:
        archive.writestr("donnees/intrus.jsonl", b"{}\n")
    with pytest.raises(ArchiveRefused, match="n'est pas dans le manifeste"):
        import_tenant(tmp_path / "a.zip", as_slug="copie")
    (tmp_path / "faux.zip").write_bytes(b"pas une archive")
    with pytest.raises(ArchiveRefused, match="n'est pas une archive ZIP"):
        import_tenant(tmp_path / "faux.zip")
    assert not Organisation.objects.filter(slug="copie").exists()


def test_an_existing_slug_is_refused_unless_renamed(f, tmp_path):
    world = agglomeration(f)
    _export(world.communes["Alpha"]["org"], tmp_path / "a.zip")
    before = _snapshot()
    with pytest.raises(CommandError, match="« aubigny » existe déjà .* --as"):
        call_command("import_tenant", str(tmp_path / "a.zip"))
    assert _snapshot() == before


def test_a_failure_during_the_import_leaves_no_row_and_no_file(f, tmp_path, monkeypatch):
    world = agglomeration(f)
    _export(world.communes["Alpha"]["org"], tmp_path / "a.zip")
    before = _snapshot()
    original = importer._Importer._insert

    def insert(self, table, position, deferred):
        original(self, table, position, deferred)
        if table.label == "workorders.interventionreport":  # after the files were stored
            raise RuntimeError("panne simulée")

    monkeypatch.setattr(importer._Importer, "_insert", insert)
    with pytest.raises(RuntimeError):
        import_tenant(tmp_path / "a.zip", as_slug="copie")
    assert _snapshot() == before


def test_a_communes_archive_holds_nothing_of_another_commune(f, tmp_path):
    world = agglomeration(f)
    path = tmp_path / "a.zip"
    _export(world.communes["Alpha"]["org"], path)
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            content = archive.read(name).lower()
            assert b"zyxwvu" not in content and b"venansault" not in content, name
            assert b"pbkdf2" not in content and b"md5$" not in content, name  # no password hash
    externals = _rows(path, "references/externes.jsonl")
    assert {(r["modele"], r["collectivite"]) for r in externals} == {
        ("organisations.team", world.epci.slug),
        ("stock.item", world.epci.slug),
    }
    assert [t["name"] for t in _rows(path, "donnees/organisations.team.jsonl")] == ["Équipe Alpha"]
    assert _manifest(path)["comptes"]["donnees/organisations.teammember.jsonl"] == 1


def test_the_epci_archive_holds_its_shared_team_but_not_the_communes_rows(f, tmp_path):
    world = agglomeration(f)
    path = tmp_path / "epci.zip"
    _export(world.epci, path)
    served = {r["organisation"] for r in _rows(path, "donnees/organisations.team_served_organisations.jsonl")}
    assert served == {"aubigny", "venansault"}
    assert _manifest(path)["comptes"]["donnees/workorders.workorder.jsonl"] == 0
    assert [r["reference"] for r in _rows(path, "donnees/stock.item.jsonl")] == ["PLB-TEMPO"]
    with zipfile.ZipFile(path) as archive:
        assert not any(b"Zyxwvu" in archive.read(n) or b"Alpha" in archive.read(n) for n in archive.namelist())


def test_every_owned_table_is_in_the_archive_and_described(f, tmp_path):
    world = agglomeration(f)
    path = tmp_path / "a.zip"
    manifest = _export(world.communes["Alpha"]["org"], path)
    readme = zipfile.ZipFile(path).read("LISEZMOI.md").decode()
    for table in owned_tables():
        assert table.data_path in manifest["fichiers"] and table.csv_path in manifest["fichiers"]
        assert f"`{table.data_path}`" in readme
    filled = {name for name, n in manifest["comptes"].items() if n and name.startswith("donnees/")}
    assert len(filled) >= 35  # the world fills nearly every table
    csv_text = zipfile.ZipFile(path).read("csv/workorders.workorder.csv").decode("utf-8-sig")
    assert csv_text.splitlines()[0].startswith("id;organisation;created_at")
