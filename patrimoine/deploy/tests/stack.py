"""The pieces of the production-stack test: nginx from Debian on the site file of deploy/, gunicorn
instances on deploy/gunicorn.conf.py, the job worker, a self-signed certificate, and reading HTML
forms the way a browser submits them."""

import datetime
import ipaddress
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
SITE = ROOT / "deploy" / "nginx" / "patrimoine.conf"
GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.path.exists(p)), None)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 that is its own authority (the client trusts that file)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    public = key.public_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, False, False, False, False, True, False, False, False), critical=True
        )  # digital signature, certificate signing
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public), critical=False)
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .sign(key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = folder / "fullchain.pem", folder / "privkey.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


def render_site(*, http_port: int, https_port: int, app_ports: list[int], static_root: Path, prefix: Path) -> str:
    """deploy/nginx/patrimoine.conf with this machine's ports and folders; every other line as shipped."""
    text = SITE.read_text()
    replacements = [
        ("listen [::]:80;", ""),
        ("listen [::]:443 ssl http2;", ""),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
        ("server 127.0.0.1:8001 ", f"server 127.0.0.1:{app_ports[0]} "),
        ("server 127.0.0.1:8002 ", f"server 127.0.0.1:{app_ports[1]} "),
        ("/etc/letsencrypt/live/patrimoine.example.fr/", f"{prefix}/tls/"),
        ("/srv/patrimoine/static/", f"{static_root}/"),
        ("/var/log/nginx/", f"{prefix}/"),
        ("/var/www/letsencrypt", f"{prefix}/acme"),
    ]
    for old, new in replacements:
        assert old in text, f"{old!r} is no longer in {SITE}: update the test's replacements"
        text = text.replace(old, new)
    return text


def start_nginx(prefix: Path, site: str, log) -> subprocess.Popen:
    """nginx in the foreground with its own configuration, pid, logs and temporary files under `prefix`."""
    for folder in ("tmp", "acme"):
        (prefix / folder).mkdir(parents=True, exist_ok=True)
    (prefix / "patrimoine.conf").write_text(site)
    kinds = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    temp = "\n".join(f"  {kind}_temp_path {prefix}/tmp/{kind};" for kind in kinds)
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers read the test's private temporary folders
    (prefix / "nginx.conf").write_text(
        f"{user}worker_processes 1;\npid {prefix}/nginx.pid;\nerror_log {prefix}/error.log;\n"
        "events { worker_connections 256; }\n"
        "http {\n  include /etc/nginx/mime.types;\n  default_type application/octet-stream;\n"
        f"  sendfile on;\n  access_log {prefix}/access.log;\n{temp}\n  include {prefix}/patrimoine.conf;\n}}\n"
    )
    command = [nginx_binary(), "-p", str(prefix), "-e", str(prefix / "error.log"), "-c", str(prefix / "nginx.conf")]
    check = subprocess.run([*command, "-t"], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    return subprocess.Popen([*command, "-g", "daemon off;"], stdout=log, stderr=subprocess.STDOUT)


def listening_socket() -> socket.socket:
    """What systemd's patrimoine-web@PORT.socket holds: a listening socket that outlives the gunicorn
    serving it, so connections made while it restarts wait for the next one instead of failing."""
    return socket.create_server(("127.0.0.1", 0), backlog=1024)


def start_gunicorn(listener: socket.socket, env: dict, metrics: Path, log) -> subprocess.Popen:
    """gunicorn on deploy/gunicorn.conf.py, with an empty metrics folder as systemd's RuntimeDirectory."""
    shutil.rmtree(metrics, ignore_errors=True)
    metrics.mkdir(parents=True)
    fd = listener.fileno()
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", str(GUNICORN_CONF), "--bind", f"fd://{fd}"],
        cwd=ROOT,
        env={**env, "PROMETHEUS_MULTIPROC_DIR": str(metrics)},
        stdout=log,
        stderr=subprocess.STDOUT,
        pass_fds=(fd,),
    )


def start_worker(env: dict, log) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.5"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def wait_healthy(port: int, process: subprocess.Popen, limit: float = 120) -> None:
    """Until the instance answers /healthz itself (not through nginx); fails if it died."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        assert process.poll() is None, f"gunicorn on port {port} exited with {process.returncode}"
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise AssertionError(f"gunicorn on port {port} not healthy after {limit} s")


def stop(process: subprocess.Popen, limit: float = 60) -> int:
    """SIGTERM (gunicorn and db_worker stop gracefully), and wait for the exit."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(limit)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode


class Forms(HTMLParser):
    """The forms of a page: for each, its action and what a browser would send untouched."""

    def __init__(self, html: str):
        super().__init__()
        self.forms: list[dict] = []
        self._select: str | None = None
        self._textarea: str | None = None
        self._option: dict | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append(
                {"action": a.get("action") or "", "method": a.get("method", "get"), "fields": {}, "options": {}}
            )
        elif not self.forms:
            return
        form = self.forms[-1] if self.forms else None
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            form["fields"][name] = a.get("value", "")
        elif tag == "select" and name:
            self._select = name
            form["options"][name] = []
            form["fields"].setdefault(name, "")
        elif tag == "option" and self._select:
            self._option = {"value": a.get("value", ""), "text": ""}
            form["options"][self._select].append(self._option)
            if "selected" in a or len(form["options"][self._select]) == 1:
                form["fields"][self._select] = self._option["value"]
        elif tag == "textarea" and name:
            self._textarea = name
            form["fields"][name] = ""

    def handle_data(self, data):
        if self._option is not None:
            self._option["text"] += data
        elif self._textarea:
            self.forms[-1]["fields"][self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "option":
            self._option = None
        elif tag == "textarea":
            self._textarea = None

    def posting_here(self) -> dict:
        """The page's own form (POST to the page's address), not the header's sign-out or switcher."""
        return next(form for form in self.forms if form["method"].lower() == "post" and not form["action"])

    @staticmethod
    def option(form: dict, name: str, text: str) -> str:
        """The value of the option of select `name` whose label contains `text`."""
        return next(o["value"] for o in form["options"][name] if text in o["text"])
