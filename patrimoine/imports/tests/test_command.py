"""`manage.py import_assets`: every error printed, exit code 1, nothing written; counts on success."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from patrimoine.assets.models import Building, Equipment
from patrimoine.imports.models import ColumnMapping, Kind

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]


def _write(tmp_path, name, text, encoding="utf-8") -> str:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


def test_a_good_file_is_imported_and_counts_are_printed(commune, tmp_path, capsys, unscoped):
    path = _write(
        tmp_path, "bat.csv", "Code bâtiment;Libellé;Surface (m²)\nB1;École;1 234,50\nB2;Mairie;98\n", "cp1252"
    )
    call_command("import_assets", path, "--org", commune.slug, "--kind", "buildings")
    out = capsys.readouterr().out
    assert "CSV, windows-1252, séparateur « ; », 2 ligne(s)" in out
    assert "Import terminé : buildings : 2, sites : 2." in out
    assert Building.objects.filter(organisation=commune).count() == 2


def test_dry_run_writes_nothing(commune, tmp_path, capsys, unscoped):
    path = _write(tmp_path, "bat.csv", "Code bâtiment,Libellé\nB1,École\n")
    call_command("import_assets", path, "--org", commune.slug, "--dry-run")
    assert "rien n'a été enregistré" in capsys.readouterr().out
    assert not Building.objects.exists()


def test_every_error_is_printed_and_the_command_fails(commune, f, tmp_path, capsys, unscoped):
    building = f.building(commune, code="GS")
    text = (
        "Code équipement;Libellé;Famille;Code bâtiment;Date mise en service\n"
        "EQ1;Chaudière;Chauffage;GS;31/12/2024\n"
        "EQ2;Extincteur;Fusée;GS;31/02/2024\n"
        "EQ3;BAES;eclairage-securite;NOPE;\n"
    )
    path = _write(tmp_path, "eq.csv", text)
    with pytest.raises(CommandError, match="3 erreur"):
        call_command("import_assets", path, "--org", commune.slug, "--kind", "equipment")
    err = capsys.readouterr().err
    assert "ligne 3, colonne « Famille », valeur « Fusée » : Famille d'équipement inconnue" in err
    assert "ligne 3, colonne « Date mise en service », valeur « 31/02/2024 » : Cette date n'existe pas." in err
    assert "ligne 4, colonne « Code bâtiment », valeur « NOPE » : Aucun bâtiment" in err
    assert not Equipment.objects.filter(building=building).exists()


def test_a_saved_mapping_is_used_by_name(commune, tmp_path, capsys, unscoped):
    ColumnMapping.objects.create(
        organisation=commune, kind=Kind.BUILDINGS, name="GMAO", columns={"id": "code", "intitule": "name"}
    )
    path = _write(tmp_path, "bat.csv", "ID;Intitulé\nB9;Hangar\n")
    call_command("import_assets", path, "--org", commune.slug, "--mapping", "GMAO")
    assert Building.objects.get(code="B9").name == "Hangar"
    with pytest.raises(CommandError, match="Aucune correspondance"):
        call_command("import_assets", path, "--org", commune.slug, "--mapping", "Autre")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--org", "inconnue"], "Aucune collectivité"),
        (["--org", "{org}", "--kind", "spaces"], "Indiquez quelle colonne contient"),
    ],
)
def test_bad_arguments_say_why(commune, tmp_path, args, message):
    path = _write(tmp_path, "x.csv", "Foo;Bar\n1;2\n")
    with pytest.raises(CommandError, match=message):
        call_command("import_assets", path, *[a.format(org=commune.slug) for a in args])


def test_binary_garbage_is_refused_with_a_french_message(commune, tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(bytes(range(256)) * 20)
    with pytest.raises(CommandError, match="binaire"):
        call_command("import_assets", str(path), "--org", commune.slug)


@pytest.mark.django_db(transaction=True)
def test_the_real_process_exits_non_zero_on_errors(tmp_path, f, settings):
    """The exit status a shell script sees (CommandError → 1), through a real `manage.py` process."""
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        env_db = {"DATABASE_URL": f"sqlite:///{settings.DATABASES['default']['NAME']}"}
    else:
        db = settings.DATABASES["default"]
        env_db = {"DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"}
    commune = f.organisation("Nesmy")
    bad = _write(tmp_path, "bad.csv", "Code bâtiment;Libellé;Surface\nB1;;douze\n")
    good = _write(tmp_path, "good.csv", "Code bâtiment;Libellé\nB1;École\n")
    import os

    env = {**os.environ, **env_db}
    run = [sys.executable, "manage.py", "import_assets", "--org", commune.slug]
    failed = subprocess.run([*run, bad], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert failed.returncode == 1
    assert "ligne 2, colonne « Libellé », valeur «  » : Valeur obligatoire manquante." in failed.stderr
    assert "ligne 2, colonne « Surface », valeur « douze »" in failed.stderr
    passed = subprocess.run([*run, good], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert passed.returncode == 0, passed.stderr
    assert "Import terminé : buildings : 1, sites : 1." in passed.stdout
