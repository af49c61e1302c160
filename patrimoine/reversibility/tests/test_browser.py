"""In real Chromium: the administrator starts the export, watches it progress (htmx polling while
the job runs), and downloads the archive."""

import json
import os
import zipfile

import pytest
from django_scopes import scopes_disabled

from conftest import browser_login
from patrimoine.reversibility.models import TenantExport
from patrimoine.reversibility.tasks import run_tenant_export

from .world import agglomeration

SCREENSHOTS = os.environ.get("SCREENSHOTS_DIR")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_administrator_exports_his_data_from_the_ui(page, f, tmp_path):
    world = agglomeration(f)
    browser_login(page, world.communes["Alpha"]["admin"].username)
    page.get_by_role("link", name="Réversibilité").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Réversibilité : export de mes données"

    page.get_by_role("button", name="Lancer un export complet").click()
    page.wait_for_load_state()
    assert page.get_by_text("En attente", exact=True).is_visible()
    with scopes_disabled():
        export = TenantExport.objects.get()
    run_tenant_export.call(export_id=str(export.pk))  # the worker's part

    link = page.get_by_role("link", name="Télécharger l’archive")
    link.wait_for(timeout=10000)  # the polling section swaps itself once the job is done
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/reversibilite.png", full_page=True)
        page.set_viewport_size({"width": 390, "height": 844})
        page.screenshot(path=f"{SCREENSHOTS}/reversibilite-telephone.png", full_page=True)
    with page.expect_download() as download:
        link.click()
    saved = tmp_path / "archive.zip"
    download.value.save_as(saved)
    assert download.value.suggested_filename.startswith("patrimoine-aubigny-")
    manifest = json.loads(zipfile.ZipFile(saved).read("manifest.json"))
    assert manifest["collectivite"]["slug"] == "aubigny"
