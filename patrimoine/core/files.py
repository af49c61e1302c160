"""Stored files (photos, documents, signatures, export archives) through Django's storage API only.

Media live on the filesystem of one machine or, past one machine, in an S3-compatible bucket
(`STORAGE_BACKEND=s3`, django-storages): code never reads `MEDIA_ROOT` or a file's `.path`, so the
same views, backups and exports work with both.

Files are always served by the application, after the view's permission check, never by a public
or presigned bucket URL: a URL, even short-lived, can be forwarded, lands in proxy and browser
histories and would escape the audit of reads; through the app every download is checked, audited
and revocable the moment a role changes.
"""

import posixpath
from collections.abc import Iterator

from django.core.files.storage import Storage
from django.db.models.fields.files import FieldFile
from django.http import FileResponse


def stored_file_response(
    field_file: FieldFile, *, content_type: str | None = None, filename: str = "", as_attachment: bool = False
) -> FileResponse:
    """A streaming response with the content of `field_file`; call it after the permission check.

    On S3-compatible storage the object's body is streamed in chunks as the bucket sends it: a file
    opened through django-storages is first copied whole into the worker's memory, which an export
    archive of hundreds of megabytes must not be.
    """
    filename = filename or posixpath.basename(field_file.name)
    storage = field_file.storage
    if hasattr(storage, "bucket"):  # storages.backends.s3.S3Storage
        got = storage.open(field_file.name, "rb").obj.get()  # S3File.obj: the object, not yet downloaded
        body, length = got["Body"], got["ContentLength"]
    else:
        body, length = field_file.open("rb"), None
    response = FileResponse(body, content_type=content_type, as_attachment=as_attachment, filename=filename)
    if length is not None:
        response["Content-Length"] = str(length)
    return response


def walk(storage: Storage, folder: str = "") -> Iterator[str]:
    """Every file name under `folder` of `storage`, sorted, through the storage API (disk or bucket)."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield posixpath.join(folder, name) if folder else name
    for sub in sorted(folders):
        yield from walk(storage, posixpath.join(folder, sub) if folder else sub)
