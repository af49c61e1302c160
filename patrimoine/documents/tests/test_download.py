import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scopes_disabled
from PIL import Image

from patrimoine.documents.models import Document
from patrimoine.documents.services import document_attach
from patrimoine.organisations.models import Membership

pytestmark = pytest.mark.django_db
Role = Membership.Role


def _png(name="photo.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def world(f):
    nesmy, venansault = f.organisation("Nesmy"), f.organisation("Venansault")
    nadia = f.user("nadia", role=Role.REQUESTER, organisation=nesmy)
    paul = f.user("paul", role=Role.REQUESTER, organisation=nesmy)
    claire = f.user("claire", role=Role.MANAGER, organisation=nesmy)
    outsider = f.user("outsider", role=Role.MANAGER, organisation=venansault)
    school = f.building(nesmy, "École")
    request = f.work_request(nesmy, requested_by=nadia, building_obj=school)
    with scopes_disabled():
        photo = document_attach(actor=nadia, target=request, uploaded=_png())
        plan = document_attach(actor=claire, target=school, uploaded=_png("plan.png"))
    return locals()


def test_requester_downloads_her_own_photo(login, world):
    response = login(world["nadia"]).get(f"/documents/{world['photo'].pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"


def test_another_requester_of_the_same_commune_cannot_read_her_photo(login, world):
    assert login(world["paul"]).get(f"/documents/{world['photo'].pk}/").status_code == 404


def test_manager_reads_building_documents_but_another_commune_gets_404(login, world, client):
    assert login(world["claire"]).get(f"/documents/{world['plan'].pk}/").status_code == 200
    client.logout()
    assert login(world["outsider"]).get(f"/documents/{world['plan'].pk}/").status_code == 404


def test_file_that_is_not_an_image_or_pdf_is_refused_and_nothing_is_stored(f, world):
    from patrimoine.core.errors import DomainError

    fake = SimpleUploadedFile("photo.jpg", b"ceci n'est pas une image", content_type="image/jpeg")
    with scopes_disabled():
        before = Document.objects.count()
        with pytest.raises(DomainError, match="ni une image"):
            document_attach(actor=world["claire"], target=world["school"], uploaded=fake)
        assert Document.objects.count() == before
