"""A real S3 API over HTTP for tests: moto's server (an implementation of the S3 protocol, served by
werkzeug on a loopback port), reached by django-storages and boto3 exactly as a bucket at a hosting
provider would be. Nothing is patched in-process: requests go over TCP and are signed.
"""

import socket
import uuid
from dataclasses import dataclass

import boto3

from patrimoine.core.s3 import s3_storage

REGION = "fr-par"
ACCESS_KEY = "test"
SECRET_KEY = "test"  # moto accepts any key pair


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class S3Server:
    endpoint: str
    _server: object = None

    def client(self):
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
        )

    def new_bucket(self) -> str:
        name = f"patrimoine-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
        return name

    def keys(self, bucket: str) -> list[str]:
        listing = self.client().list_objects_v2(Bucket=bucket)
        return sorted(item["Key"] for item in listing.get("Contents", []))

    def empty(self, bucket: str) -> None:
        for key in self.keys(bucket):
            self.client().delete_object(Bucket=bucket, Key=key)

    def env(self, bucket: str) -> dict[str, str]:
        """The environment of an app server whose media live in `bucket` (settings.py reads it)."""
        return {
            "STORAGE_BACKEND": "s3",
            "AWS_S3_ENDPOINT_URL": self.endpoint,
            "AWS_STORAGE_BUCKET_NAME": bucket,
            "AWS_S3_REGION_NAME": REGION,
            "AWS_S3_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_S3_SECRET_ACCESS_KEY": SECRET_KEY,
        }

    def storages_setting(self, base: dict, bucket: str) -> dict:
        """settings.STORAGES with the default storage in `bucket`, as STORAGE_BACKEND=s3 builds it."""
        return {**base, "default": s3_storage(self.env(bucket))}


def start_s3_server() -> S3Server:
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    return S3Server(endpoint=f"http://127.0.0.1:{port}", _server=server)


def stop_s3_server(server: S3Server) -> None:
    server._server.stop()
