"""The issue's round trip on the demo agglomeration: export a commune, empty the database, import,
export again — the same manifest. Opt-in (`DEMO_ROUNDTRIP=1`): loading the demo alone takes ~30 s,
more than this app's share of the suite; `test_commands` runs the same round trip on a smaller but
complete commune at every run."""

import json
import os
import zipfile

import pytest
from django.core.management import call_command

from patrimoine.core.reference_data import load_reference_data
from patrimoine.demo.seed import seed_demo
from patrimoine.organisations.models import Organisation

pytestmark = pytest.mark.skipif(not os.environ.get("DEMO_ROUNDTRIP"), reason="DEMO_ROUNDTRIP=1 to run it (~2 min)")


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
