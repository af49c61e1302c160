import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scopes_disabled
from PIL import Image

from patrimoine.documents.models import Document

pytestmark = [pytest.mark.django_db]


def png_bytes(size=(40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 60, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


def upload_url(building):
    return reverse("assets:building-upload", args=[building.pk])


def stored_files(settings) -> list:
    root = settings.MEDIA_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def documents_of(building):
    with scopes_disabled():
        return list(Document.objects.filter(object_id=building.pk))


def test_a_real_photo_is_attached_and_shown_as_a_thumbnail(login, world, settings):
    client = login(world.claire)
    photo = SimpleUploadedFile("fuite.png", png_bytes(), content_type="image/png")
    response = client.post(upload_url(world.school), {"file": photo, "title": "Fuite sous l'évier"})
    assert response.status_code == 302
    (document,) = documents_of(world.school)
    assert (document.kind, document.mime_type, document.organisation_id) == ("photo", "image/png", world.nesmy.pk)
    assert len(stored_files(settings)) == 1
    page = client.get(reverse("assets:building-detail", args=[world.school.pk])).content.decode()
    download = reverse("documents:download", args=[document.pk])
    assert f'<img src="{download}"' in page
    assert client.get(download).status_code == 200


def test_a_text_file_renamed_jpg_is_refused_in_french_and_nothing_is_stored(login, world, settings):
    fake = SimpleUploadedFile("photo.jpg", b"ceci n'est pas une image\n" * 20, content_type="image/jpeg")
    response = login(world.claire).post(upload_url(world.school), {"file": fake})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Le fichier « photo.jpg » n&#x27;est ni une image (JPEG, PNG, WebP) ni un PDF." in page
    assert 'id="id_file_error"' in page  # next to the field
    assert documents_of(world.school) == [] and stored_files(settings) == []


def test_a_too_large_file_is_refused_and_nothing_is_stored(login, world, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    big = SimpleUploadedFile("plan.png", png_bytes((600, 600)) + b"\0" * 2048, content_type="image/png")
    response = login(world.claire).post(upload_url(world.school), {"file": big})
    assert response.status_code == 400
    assert "dépasse la taille maximale" in response.content.decode()
    assert documents_of(world.school) == [] and stored_files(settings) == []


def test_requester_cannot_upload_to_a_building(login, world, settings):
    photo = SimpleUploadedFile("x.png", png_bytes(), content_type="image/png")
    response = login(world.nadia).post(upload_url(world.school), {"file": photo})
    assert response.status_code == 403
    assert documents_of(world.school) == [] and stored_files(settings) == []


def test_nobody_uploads_to_another_communes_building(login, world, settings):
    photo = SimpleUploadedFile("x.png", png_bytes(), content_type="image/png")
    response = login(world.claire).post(upload_url(world.gym), {"file": photo})
    assert response.status_code == 404
    assert documents_of(world.gym) == [] and stored_files(settings) == []


def test_requester_sees_no_upload_form(login, world):
    page = login(world.nadia).get(reverse("assets:building-detail", args=[world.school.pk])).content.decode()
    assert 'enctype="multipart/form-data"' not in page
