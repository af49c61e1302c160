"""Real processes for the scale-out tests and the load test (`patrimoine.scale.load`): a throw-away
PostgreSQL primary with a streaming replica, gunicorn app servers and the job worker, each a
subprocess on a loopback port.

Everything is started with an explicit environment (the settings read nothing else) and stopped
by its own process id; data directories live in a temporary folder that is removed afterwards.
"""

import os
import shutil
import signal
import socket
import subprocess  # noqa: S404 — starting the real servers is the point
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, *, process: subprocess.Popen | None = None, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process {process.args[:3]} exited with {process.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing answers on 127.0.0.1:{port} after {seconds} s")


def stop(process: subprocess.Popen | None, *, seconds: float = 10, sig: int = signal.SIGTERM) -> None:
    """Stop one process we started (`sig`, then SIGKILL), by its own pid."""
    if process is None or process.poll() is not None:
        return
    process.send_signal(sig)
    try:
        process.wait(seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(seconds)


# --- PostgreSQL: a primary and its streaming replica --------------------------------------------------


@dataclass
class PostgresPair:
    """A throw-away primary (patrimoine/testing/postgres.py's cluster: its `initdb` allows replication
    connections from 127.0.0.1) and a hot standby of it made with `pg_basebackup -R`, streaming."""

    primary: object  # ThrowawayPostgres
    replica_port: int

    @property
    def folder(self) -> Path:
        return self.primary.root

    @property
    def primary_port(self) -> int:
        return self.primary.port

    def url(self, database: str, *, replica: bool = False) -> str:
        return f"postgres://postgres@127.0.0.1:{self.replica_port if replica else self.primary_port}/{database}"

    def psql(self, sql: str, *, database: str = "postgres", replica: bool = False) -> str:
        port = self.replica_port if replica else self.primary_port
        command = ["psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d", database, "-Atqc", sql]
        return subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip()  # noqa: S603

    def wait_replayed(self, seconds: float = 30) -> None:
        """Until the replica has replayed everything the primary wrote so far."""
        target = self.psql("SELECT pg_current_wal_lsn()")
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.psql(f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn", replica=True) == "t":
                return
            time.sleep(0.05)
        raise TimeoutError("the replica did not catch up")

    def stop(self) -> None:
        for data in (self.folder / "replica", self.primary.data):
            if (data / "postmaster.pid").exists():
                self.primary._run("pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)


def start_postgres_pair() -> PostgresPair:
    from patrimoine.testing.postgres import ThrowawayPostgres

    primary = ThrowawayPostgres(Path(tempfile.mkdtemp(prefix="patrimoine-pg-pair-")))
    pair = PostgresPair(primary, free_port())
    try:
        primary.init()
        primary.start()
        replica = pair.folder / "replica"
        primary._run(
            "pg_basebackup", "-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres", "-D", str(replica),
            "-R", "-X", "stream", "-c", "fast",
        )  # fmt: skip
        options = f"-p {pair.replica_port} -k {pair.folder} -c listen_addresses=127.0.0.1 -c hot_standby=on"
        primary._run("pg_ctl", "-D", str(replica), "-o", options, "-l", str(pair.folder / "replica.log"), "-w", "start")
    except BaseException:
        pair.stop()
        raise
    return pair


def dump_schema(source: dict) -> bytes:
    """The schema of the (migrated) `source` database, as SQL: copying it takes seconds where
    running every migration again takes a minute."""
    env = {**os.environ, "PGPASSWORD": str(source.get("PASSWORD") or "")}
    command = ["pg_dump", "--schema-only", "--no-owner", "-h", str(source.get("HOST") or "127.0.0.1")]
    command += ["-p", str(source.get("PORT") or 5432), "-U", str(source.get("USER") or "postgres"), source["NAME"]]
    return subprocess.run(command, check=True, capture_output=True, env=env).stdout  # noqa: S603


def load_schema(schema: bytes, pair: PostgresPair, database: str) -> None:
    """Create `database` on the pair's primary with `schema` (from `dump_schema`)."""
    pair.psql(f'CREATE DATABASE "{database}"')
    command = ["psql", "-h", "127.0.0.1", "-p", str(pair.primary_port), "-U", "postgres", "-d", database]
    subprocess.run([*command, "-q", "-v", "ON_ERROR_STOP=1"], input=schema, check=True, capture_output=True)  # noqa: S603


# --- The application's processes ------------------------------------------------------------------


@dataclass
class App:
    """App servers and workers sharing one environment; `url(i)` is the i-th server's base URL."""

    env: dict
    servers: list[tuple[int, subprocess.Popen]] = field(default_factory=list)
    workers: list[subprocess.Popen] = field(default_factory=list)
    logs: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="patrimoine-app-")))

    def url(self, index: int = 0) -> str:
        return f"http://127.0.0.1:{self.servers[index][0]}"

    def _log(self, name: str):
        return (self.logs / f"{name}.log").open("ab")

    def manage(self, *args: str, extra_env: dict | None = None, **kwargs) -> subprocess.CompletedProcess:
        return subprocess.run(  # noqa: S603
            [PYTHON, "manage.py", *args],
            cwd=settings.BASE_DIR,
            env={**self.env, **(extra_env or {})},
            check=True,
            capture_output=True,
            text=True,
            **kwargs,
        )

    def run_module(self, module: str, *args: str) -> str:
        """`python -m module args…` in the app's environment; its standard output."""
        command = [PYTHON, "-m", module, *args]
        done = subprocess.run(command, cwd=settings.BASE_DIR, env=self.env, check=True, capture_output=True, text=True)  # noqa: S603
        return done.stdout

    def start_server(self, *, workers: int = 1, threads: int = 1, extra_args: tuple[str, ...] = (), env=None):
        port = free_port()
        command = [PYTHON, "-m", "gunicorn", "patrimoine.wsgi", "--bind", f"127.0.0.1:{port}"]
        command += ["--workers", str(workers), "--threads", str(threads), "--timeout", "120", "--no-control-socket"]
        command += list(extra_args)
        server_env = {**self.env, **(env or {})}
        log = self._log(f"server-{port}")
        process = subprocess.Popen(command, cwd=settings.BASE_DIR, env=server_env, stdout=log, stderr=log)  # noqa: S603
        self.servers.append((port, process))
        return port, process

    def start_worker(self) -> subprocess.Popen:
        command = [PYTHON, "manage.py", "db_worker", "--no-reload", "--interval", "0.2", "--no-startup-delay"]
        log = self._log(f"worker-{len(self.workers)}")
        process = subprocess.Popen(command, cwd=settings.BASE_DIR, env=self.env, stdout=log, stderr=log)  # noqa: S603
        self.workers.append(process)
        return process

    def wait_ready(self, seconds: float = 90) -> None:
        for port, process in self.servers:
            wait_for_port(port, process=process, seconds=seconds)

    def warm_up(self) -> None:
        """One request to each server, so that the first one of a test does not pay for loading the
        URLconf and every view (lazy in each gunicorn worker)."""
        for index in range(len(self.servers)):
            with urllib.request.urlopen(f"{self.url(index)}/healthz", timeout=120) as response:  # noqa: S310
                response.read()

    def log_tail(self, lines: int = 40) -> str:
        out = []
        for path in sorted(self.logs.glob("*.log")):
            text = path.read_text(errors="replace").splitlines()[-lines:]
            out.append(f"--- {path.name}\n" + "\n".join(text))
        return "\n".join(out)

    def stop(self) -> None:
        for _port, process in self.servers:
            process.send_signal(signal.SIGQUIT)  # gunicorn's quick shutdown (no draining of keep-alives)
        for process in self.workers:
            process.send_signal(signal.SIGTERM)
        for process in [p for _port, p in self.servers] + self.workers:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
        shutil.rmtree(self.logs, ignore_errors=True)


def app_environment(database_url: str, **extra: str) -> dict:
    """The environment of an app process: PATH and locale from ours, the rest explicit."""
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "HOME", "PYTHONPATH")}
    return {
        **keep,
        "DJANGO_SETTINGS_MODULE": "patrimoine.settings",
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        **extra,
    }
