"""Known vulnerabilities of the installed Python dependencies, from PyPI's advisory data (`make lint`).

Why not pip-audit alone: pip-audit asks PyPI about each release (`/pypi/<name>/<version>/json`), and
from the build machines that address answers 404 for every package, so pip-audit skips them all and
reports « No known vulnerabilities found » having checked nothing; its other services (OSV, ecosyste.ms)
are not reachable. The project documents (`/pypi/<name>/json`) do answer, with the advisories of the
project's latest release in `vulnerabilities` (the same data pip-audit reads: PyPA advisory database /
OSV). So, for every installed distribution:
- installed version == latest release: its advisories are exactly ours;
- behind the latest release: PyPI tells us nothing about our version from here; the latest's advisories
  (if any) are counted as ours too — an unfixed flaw usually predates the latest release — and the
  package is listed as « en retard » so that someone upgrades it.

Exit status 1 when an advisory is not in the allow-list (tools/audit-allowlist.txt, one `ID reason`
per line, a reason is required) or when PyPI cannot be read (an audit that cannot check must not pass).
"""

import json
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from importlib.metadata import distributions
from pathlib import Path

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

INDEX = "https://pypi.org/pypi/{name}/json"
ALLOWLIST = Path(__file__).with_name("audit-allowlist.txt")
TRIES, TIMEOUT = 3, 30


def allowlist() -> dict[str, str]:
    allowed = {}
    for number, line in enumerate(ALLOWLIST.read_text().splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        ident, _, reason = line.partition(" ")
        if not reason.strip():
            sys.exit(f"{ALLOWLIST.name}:{number}: {ident} sans raison — chaque exception doit dire pourquoi.")
        allowed[ident] = reason.strip()
    return allowed


def project(name: str) -> dict:
    for attempt in range(TRIES):
        try:
            with urllib.request.urlopen(INDEX.format(name=name), timeout=TIMEOUT) as response:  # noqa: S310 (https)
                return json.load(response)
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return {}
            if attempt == TRIES - 1:
                raise
        except (urllib.error.URLError, TimeoutError):
            if attempt == TRIES - 1:
                raise
        time.sleep(2**attempt)
    return {}


def installed() -> dict[str, str]:
    found = {}
    for dist in distributions():
        name = dist.metadata["Name"]
        if name:
            found[canonicalize_name(name)] = dist.version
    return dict(sorted(found.items()))


def behind(version: str, latest: str) -> bool:
    try:
        return Version(version) < Version(latest)
    except InvalidVersion:
        return version != latest


def main() -> int:
    allowed = allowlist()
    packages = installed()
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            documents = dict(zip(packages, pool.map(project, packages), strict=True))
    except (urllib.error.URLError, TimeoutError) as error:
        print(f"Audit des dépendances impossible : PyPI ne répond pas ({error}).", file=sys.stderr)
        return 1
    findings, late, unknown, accepted = [], [], [], []
    for name, version in packages.items():
        document = documents[name]
        if not document:
            unknown.append(f"{name} {version}")
            continue
        latest = document["info"]["version"]
        if behind(version, latest):
            late.append(f"{name} {version} (dernière : {latest})")
        seen: set[str] = set()
        for advisory in document.get("vulnerabilities") or []:
            ids = [advisory["id"], *advisory.get("aliases", [])]
            if advisory.get("withdrawn") or seen & set(ids):
                continue  # the same flaw is often published twice (PYSEC and GHSA records)
            seen |= set(ids)
            line = f"{name} {version}: {', '.join(ids)} — corrigé dans {', '.join(advisory.get('fixed_in') or ['?'])}"
            reasons = [allowed[i] for i in ids if i in allowed]
            (accepted if reasons else findings).append(line + (f" (accepté : {reasons[0]})" if reasons else ""))
    print(f"{len(packages)} distributions installées, auditées sur les avis de sécurité de PyPI.")
    for title, lines in (
        ("Vulnérabilités acceptées (tools/audit-allowlist.txt)", accepted),
        ("En retard sur la dernière version (avis de leur propre version non disponibles ici)", late),
        ("Inconnues de PyPI (non auditées)", unknown),
        ("VULNÉRABILITÉS CONNUES", findings),
    ):
        if lines:
            print(f"\n{title} :")
            print("\n".join(f"  - {line}" for line in lines))
    if findings:
        print(f"\n{len(findings)} vulnérabilité(s) connue(s) : mettez à jour, ou justifiez-la dans {ALLOWLIST.name}.")
        return 1
    print("\nAucune vulnérabilité connue.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
