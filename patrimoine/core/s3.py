"""The media storage of STORAGE_BACKEND=s3, from environment variables (read by settings.py and by
the tests that start a real S3 server, so both build the very same storage)."""

from collections.abc import Mapping

from django.core.exceptions import ImproperlyConfigured


def s3_storage(env: Mapping[str, str]) -> dict:
    """The STORAGES["default"] entry of a private S3-compatible bucket (django-storages, boto3)."""
    bucket = env.get("AWS_STORAGE_BUCKET_NAME", "")
    if not bucket:
        raise ImproperlyConfigured("STORAGE_BACKEND=s3 : AWS_STORAGE_BUCKET_NAME doit être défini.")
    options = {
        "bucket_name": bucket,
        "endpoint_url": env.get("AWS_S3_ENDPOINT_URL") or None,  # e.g. https://s3.fr-par.scw.cloud
        "region_name": env.get("AWS_S3_REGION_NAME") or None,
        "addressing_style": env.get("AWS_S3_ADDRESSING_STYLE") or "path",  # MinIO, Garage, Ceph…
        "location": env.get("AWS_S3_LOCATION", ""),  # a prefix inside the bucket
        "default_acl": None,  # the bucket's own policy, which must be private
        "file_overwrite": False,  # never replace another document that got the same name
        "querystring_auth": True,  # never an unsigned public URL (the app serves files anyway)
        # django-storages copies a file it opens into memory up to this size, then into a temporary
        # file (downloads to users are streamed without it: core/files.py).
        "max_memory_size": 2 * 1024 * 1024,
    }
    # Without these, django-storages (boto3) finds the keys in AWS_ACCESS_KEY_ID / … or an instance role.
    for option, name in (("access_key", "AWS_S3_ACCESS_KEY_ID"), ("secret_key", "AWS_S3_SECRET_ACCESS_KEY")):
        if env.get(name):
            options[option] = env[name]
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}
