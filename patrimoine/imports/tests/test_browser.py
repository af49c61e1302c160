"""The import in real Chromium: a manager uploads a Windows-1252 export with an error, reads the
error report, fixes the file, checks it again and launches the import, which runs as a task."""

import os
from pathlib import Path

import pytest
from django_scopes import scopes_disabled

from conftest import browser_login
from patrimoine.assets.models import Equipment
from patrimoine.imports.models import ImportJob
from patrimoine.organisations.models import Membership

SHOTS = os.environ.get("IMPORTS_SCREENSHOTS")  # a folder to keep screenshots of each step in
AXE = (Path(__file__).resolve().parents[2] / "tests" / "vendor" / "axe.min.js").read_text()


def _shot(page, name):
    """Keep a screenshot of the step, and audit it with axe-core (WCAG 2.1 A/AA rules): zero violations."""
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)
    page.evaluate(AXE)
    violations = page.evaluate(
        "async () => (await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})).violations.map(v => `${v.id}: ${v.help}`)"
    )
    assert violations == [], f"{name}: {violations}"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_manager_imports_equipment_through_preview_and_commit(page, f, tmp_path, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    commune = f.organisation("Venansault")
    f.user("claire", role=Membership.Role.MANAGER, organisation=commune)
    f.building(commune, "École Jules-Ferry", code="GS-JF")
    header = "Code équipement;Libellé;Famille;Code bâtiment;Marque;Date mise en service;Référence fournisseur\n"
    bad = tmp_path / "equipements.csv"
    bad.write_bytes(
        (
            header
            + "CH-01;Chaudière gaz;Chauffage;GS-JF;De Dietrich;15/09/2012;X\n"
            + "EXT-1;Extincteur;Fusée;GS-JF;;31/02/2020;Y\n"
        ).encode("cp1252")
    )
    browser_login(page, "claire")
    page.get_by_role("link", name="Reprise de données").click()
    page.get_by_label("Données à importer").select_option(label="Équipements")
    page.locator("#id_file").set_input_files(str(bad))
    _shot(page, "1-depot")
    page.get_by_role("button", name="Lire le fichier").click()
    page.wait_for_load_state()
    assert page.get_by_text("windows-1252").is_visible()
    assert page.get_by_label("Famille").input_value() == "category"
    assert page.get_by_label("Référence fournisseur").input_value() == ""  # unknown header: ignored
    _shot(page, "2-correspondance")
    page.get_by_role("button", name="Vérifier le fichier").click()
    page.wait_for_load_state()
    errors = page.get_by_role("table", name="Chaque erreur : ligne du fichier, colonne, valeur lue et motif")
    assert errors.get_by_text("Famille d'équipement inconnue : « Fusée ».").is_visible()
    assert errors.get_by_text("Cette date n'existe pas.").is_visible()
    assert page.get_by_role("button", name="Lancer l'import").count() == 0
    _shot(page, "3-erreurs")

    good = tmp_path / "equipements-corrige.csv"
    good.write_bytes(bad.read_bytes().replace(b"Fus\xe9e", b"Extincteurs").replace(b"31/02/2020", b"28/02/2020"))
    page.get_by_role("link", name="Reprise de données").first.click()
    page.get_by_label("Données à importer").select_option(label="Équipements")
    page.locator("#id_file").set_input_files(str(good))
    page.get_by_role("button", name="Lire le fichier").click()
    page.get_by_role("button", name="Vérifier le fichier").click()
    page.wait_for_load_state()
    assert page.get_by_text("Fichier vérifié : aucune erreur").is_visible()
    assert page.get_by_text("2 équipements").is_visible()
    _shot(page, "4-apercu")
    with scopes_disabled():
        assert not Equipment.objects.exists()
    page.get_by_role("button", name="Lancer l'import").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Import terminé").is_visible()
    _shot(page, "5-bilan")
    with scopes_disabled():
        assert set(Equipment.objects.values_list("code", flat=True)) == {"CH-01", "EXT-1"}
        assert ImportJob.objects.filter(status=ImportJob.Status.DONE).count() == 1
