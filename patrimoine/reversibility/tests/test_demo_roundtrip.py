"""The issue's round trip on the demo agglomeration: export a commune, empty the database, import,
export again — the same manifest. (`test_commands` runs the same round trip on a smaller commune
built by factories, with the corner cases.)"""

import json
import zipfile

import pytest
from django.core.management import call_command

from patrimoine.core.reference_data import load_reference_data
from patrimoine.demo.seed import seed_demo
from patrimoine.organisations.models import Organisation


def _manifest(path) -> dict:
    return json.loads(zipfile.ZipFile(path).read("manifest.json"))


@pytest.mark.django_db(transaction=True)
def test_a_demo_commune_survives_export_empty_database_import_export(tmp_path):
    seed_demo()
    call_command("export_tenant", "nesmy", str(tmp_path / "avant.zip"))
    before = _manifest(tmp_path / "avant.zip")
    assert before["comptes"]["donnees/workorders.workorder.jsonl"] > 300

    call_command("flush", interactive=False)
    load_reference_data()
    assert not Organisation.objects.exists()
    call_command("import_tenant", str(tmp_path / "avant.zip"))
    call_command("export_tenant", "nesmy", str(tmp_path / "apres.zip"))
    after = _manifest(tmp_path / "apres.zip")

    assert after["comptes"] == before["comptes"]
    assert after["fichiers"] == before["fichiers"]
