"""Claire, in a real browser: finds a building by typing, opens it, adds a photo."""

import pytest
from django_scopes import scopes_disabled
from PIL import Image

from conftest import browser_login
from patrimoine.documents.models import Document

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_manager_searches_opens_a_building_and_attaches_a_photo(page, world, f, tmp_path):
    f.equipment(world.school, "Chaudière gaz à condensation", category=f.category("cvc-chauffage", "CVC / chauffage"))
    browser_login(page, "gestionnaire.nesmy")
    page.goto("/patrimoine/")
    page.get_by_label("Rechercher").fill("ecole ferry")  # no accent, no capital: still found
    page.locator("#resultats h2", has_text="1 bâtiment trouvé").wait_for()
    assert "Gymnase des Acacias" not in page.content()
    page.get_by_role("link", name="École élémentaire Jules Ferry").click()
    page.get_by_role("heading", level=1, name="École élémentaire Jules Ferry").wait_for()
    assert page.get_by_text("CVC / chauffage").is_visible()

    photo = tmp_path / "fuite.png"
    Image.new("RGB", (64, 48), (10, 120, 200)).save(photo)
    page.get_by_label("Photo ou document PDF").set_input_files(str(photo))
    page.get_by_role("button", name="Ajouter").click()
    page.get_by_text("Le fichier a été ajouté.").wait_for()
    assert page.locator("#documents img").count() == 1
    with scopes_disabled():
        assert Document.objects.filter(object_id=world.school.pk).count() == 1

    fake = tmp_path / "photo.jpg"
    fake.write_bytes(b"pas une image " * 50)
    page.get_by_label("Photo ou document PDF").set_input_files(str(fake))
    page.get_by_role("button", name="Ajouter").click()
    page.get_by_text("n'est ni une image (JPEG, PNG, WebP) ni un PDF").wait_for()
    with scopes_disabled():
        assert Document.objects.filter(object_id=world.school.pk).count() == 1
