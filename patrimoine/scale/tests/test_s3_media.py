"""Media in an S3-compatible bucket (STORAGE_BACKEND=s3): uploads go to the bucket, never to the
app server's disk; downloads still go through the permission-checked views; backups and the
reversibility archive read and write the bucket through the storage API.

The bucket is served by a real S3 server over HTTP on a loopback port (moto's server), reached by
django-storages and boto3 with signed requests, as a provider's bucket would be.
"""

import hashlib
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scopes_disabled
from PIL import Image

from patrimoine.documents.models import Document
from patrimoine.organisations.models import Membership
from patrimoine.testing.s3 import start_s3_server, stop_s3_server

Role = Membership.Role


@pytest.fixture(scope="module")
def s3_server():
    server = start_s3_server()
    yield server
    stop_s3_server(server)


@pytest.fixture
def bucket(s3_server, settings):
    """A fresh private bucket as the media storage of this test."""
    name = s3_server.new_bucket()
    settings.STORAGES = s3_server.storages_setting(settings.STORAGES, name)
    return name


def _png(colour="red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(buffer, "PNG")
    return buffer.getvalue()


def _local_files(settings) -> list:
    root = settings.MEDIA_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def world(f):
    nesmy, venansault = f.organisation("Nesmy"), f.organisation("Venansault")
    return {
        "nesmy": nesmy,
        "claire": f.user("claire", role=Role.MANAGER, organisation=nesmy),
        "outsider": f.user("outsider", role=Role.MANAGER, organisation=venansault),
        "school": f.building(nesmy, "École Jules-Verne"),
    }


def _upload(client, building, content: bytes, name="fuite.png"):
    photo = SimpleUploadedFile(name, content, content_type="image/png")
    return client.post(reverse("assets:building-upload", args=[building.pk]), {"file": photo, "title": "Fuite"})


@pytest.mark.django_db
def test_a_photo_uploaded_through_the_page_lands_in_the_bucket_and_only_the_app_serves_it(
    bucket, s3_server, world, login, client, settings
):
    content = _png()
    assert _upload(login(world["claire"]), world["school"], content).status_code == 302
    with scopes_disabled():
        document = Document.objects.get(object_id=world["school"].pk)
    assert s3_server.keys(bucket) == [document.file.name]  # in the bucket, under org-<id>/…
    assert document.file.name.startswith(f"org-{world['nesmy'].pk}/")
    assert _local_files(settings) == []  # nothing on the app server's disk

    page = client.get(reverse("assets:building-detail", args=[world["school"].pk])).content.decode()
    assert reverse("documents:download", args=[document.pk]) in page
    assert s3_server.endpoint not in page and bucket not in page  # never a bucket URL, signed or not

    response = client.get(reverse("documents:download", args=[document.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["Content-Length"] == str(len(content))
    assert b"".join(response.streaming_content) == content

    client.logout()
    assert login(world["outsider"]).get(reverse("documents:download", args=[document.pk])).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_a_backup_taken_with_media_in_a_bucket_brings_every_photo_back(bucket, s3_server, world, login, tmp_path):
    from patrimoine.trust.backup import backup, media_checksums, restore

    client = login(world["claire"])
    for colour in ("red", "blue"):
        assert _upload(client, world["school"], _png(colour), name=f"{colour}.png").status_code == 302
    before = media_checksums()
    assert sorted(before) == s3_server.keys(bucket) and len(before) == 2

    result = backup(tmp_path / "sauvegarde")
    assert result.manifest["media"] == before
    s3_server.empty(bucket)  # the bucket is lost
    assert media_checksums() == {}

    assert restore(tmp_path / "sauvegarde").mismatches == []
    assert s3_server.keys(bucket) == sorted(before) and media_checksums() == before
    with scopes_disabled():
        document = Document.objects.filter(object_id=world["school"].pk).first()
    client = login(world["claire"])
    response = client.get(reverse("documents:download", args=[document.pk]))
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == before[document.file.name]


@pytest.mark.django_db
def test_the_reversibility_archive_is_written_to_the_bucket_and_streamed_to_its_administrator(
    bucket, s3_server, f, world, login, django_capture_on_commit_callbacks
):
    from patrimoine.reversibility.models import TenantExport
    from patrimoine.reversibility.tasks import run_tenant_export

    _upload(login(world["claire"]), world["school"], _png())
    admin = f.user("admin", role=Role.ADMIN, organisation=world["nesmy"])
    client = login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("reversibility:home")).status_code == 302
    with scopes_disabled():
        export = TenantExport.objects.get(organisation=world["nesmy"])
    run_tenant_export.call(export_id=str(export.pk))  # what the worker does
    export.refresh_from_db()
    assert export.archive.name in s3_server.keys(bucket)

    response = client.get(reverse("reversibility:download", args=[export.pk]))
    assert response.status_code == 200 and int(response["Content-Length"]) == export.size
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    photos = [name for name in archive.namelist() if name.endswith(".png")]
    assert len(photos) == 1 and archive.read(photos[0]) == _png()  # the photo, read back from the bucket
    client.logout()
    assert login(world["outsider"]).get(reverse("reversibility:download", args=[export.pk])).status_code == 404
