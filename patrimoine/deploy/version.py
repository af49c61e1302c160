"""The version of the running code: the release number of pyproject.toml and, in a git checkout,
the commit (so two installs of the same release built from different commits tell apart)."""

import subprocess  # noqa: S404 — git is the tool that knows the commit
import tomllib
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=1)
def code_version() -> str:
    base = settings.BASE_DIR
    release = tomllib.loads((base / "pyproject.toml").read_text())["project"]["version"]
    try:
        done = subprocess.run(  # noqa: S603
            # safe.directory: the code may belong to root while the service user runs this
            ["git", "-c", "safe.directory=*", "-C", str(base), "rev-parse", "--short=12", "HEAD"],  # noqa: S607
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return release
    commit = done.stdout.strip()
    return f"{release} ({commit})" if done.returncode == 0 and commit else release
