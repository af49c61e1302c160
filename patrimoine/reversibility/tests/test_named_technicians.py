"""The named technicians of an order (WorkOrderTechnician) travel with the organisation's archive:
exported with their organisation, restored onto the imported orders — from archives written before
the rows had their organisation too."""

import hashlib
import json
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django_scopes import scopes_disabled

from patrimoine.reversibility.importer import import_tenant
from patrimoine.workorders.models import WorkOrderTechnician

from .world import agglomeration

pytestmark = pytest.mark.django_db

NAMED = "donnees/workorders.workorder_technicians.jsonl"


def _rows(path: Path, name: str) -> list[dict]:
    return [json.loads(line) for line in zipfile.ZipFile(path).read(name).decode().splitlines()]


def _named(org) -> set[tuple[str, str, int]]:
    """(order title, technician, organisation of the row) of the technicians named on `org`'s orders."""
    with scopes_disabled():
        rows = WorkOrderTechnician.objects.filter(workorder__organisation=org)
        return set(rows.values_list("workorder__title", "user__username", "organisation_id"))


def _as_before_the_organisation_column(source: Path, target: Path) -> None:
    """`source` as an earlier release wrote it: the named technicians without `organisation`."""
    with zipfile.ZipFile(source) as archive:
        entries = {info.filename: archive.read(info.filename) for info in archive.infolist()}
    rows = [{k: v for k, v in row.items() if k != "organisation"} for row in _rows(source, NAMED)]
    entries[NAMED] = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows).encode()
    manifest = json.loads(entries["manifest.json"])
    manifest["fichiers"][NAMED] = {"sha256": hashlib.sha256(entries[NAMED]).hexdigest(), "octets": len(entries[NAMED])}
    entries["manifest.json"] = json.dumps(manifest).encode()
    with zipfile.ZipFile(target, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)


def test_the_named_technicians_are_exported_with_their_organisation_and_restored(f, tmp_path):
    world = agglomeration(f)
    alpha = world.communes["Alpha"]
    call_command("export_tenant", alpha["org"].slug, str(tmp_path / "a.zip"))

    exported = _rows(tmp_path / "a.zip", NAMED)
    assert sorted((r["user"], r["organisation"]) for r in exported) == [
        ("technicien.aubigny", "aubigny"),
        ("technicien.epci", "aubigny"),  # the EPCI's technician on the commune's order: the commune's row
    ]
    assert {r["workorder"] for r in exported} == {str(alpha["order"].pk), str(alpha["shared_order"].pk)}

    copy = import_tenant(tmp_path / "a.zip", as_slug="aubigny-copie").organisation
    assert _named(copy) == {
        ("Réparer Alpha", "technicien.aubigny", copy.pk),
        ("Chauffage Alpha", "technicien.epci", copy.pk),
    }
    assert len(_named(alpha["org"])) == 2  # the original's rows are untouched


def test_an_archive_from_before_the_organisation_column_restores_them_with_the_imported_one(f, tmp_path):
    world = agglomeration(f)
    call_command("export_tenant", world.communes["Alpha"]["org"].slug, str(tmp_path / "a.zip"))
    _as_before_the_organisation_column(tmp_path / "a.zip", tmp_path / "ancienne.zip")

    copy = import_tenant(tmp_path / "ancienne.zip", as_slug="aubigny-copie").organisation

    assert {organisation for _, _, organisation in _named(copy)} == {copy.pk}
    assert len(_named(copy)) == 2
