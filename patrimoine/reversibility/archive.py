"""Open an archive and check it completely before anything is written.

Every file listed in the manifest must be there with the same size and SHA-256, nothing may be
there that the manifest does not list, and each JSON Lines file must have the announced number of
lines. Otherwise `ArchiveRefused` says what is wrong, in French, and the import has not started.
"""

import hashlib
import json
import zipfile
from pathlib import PurePosixPath

from patrimoine.core.errors import DomainError

from . import codec
from .exporter import FORMAT, MANIFEST, VERSION

CHUNK = 1024 * 1024


class ArchiveRefused(DomainError):
    """The archive cannot be imported; nothing was written."""


class CheckedArchive:
    """A verified archive: data files are kept in memory, attached files are read again on demand."""

    def __init__(self, source):
        try:
            self.zip = zipfile.ZipFile(source)
        except (zipfile.BadZipFile, OSError) as exc:
            raise ArchiveRefused("Le fichier n'est pas une archive ZIP lisible : rien n'a été importé.") from exc
        self.manifest = self._manifest()
        self.listed: dict[str, dict] = self.manifest["fichiers"]
        self.absent = set(self.manifest.get("fichiers_absents", []))
        self.data: dict[str, bytes] = {}
        self._verify()

    def _manifest(self) -> dict:
        names = self.zip.namelist()
        for name in names:
            path = PurePosixPath(name)
            if path.is_absolute() or ".." in path.parts or "\\" in name:
                raise ArchiveRefused(f"Archive refusée : le chemin « {name} » est interdit. Rien n'a été importé.")
        if MANIFEST not in names:
            raise ArchiveRefused(
                "Archive refusée : manifest.json est absent, ce n'est pas une archive de réversibilité Patrimoine."
            )
        try:
            manifest = json.loads(self.zip.read(MANIFEST))
        except ValueError as exc:
            raise ArchiveRefused("Archive refusée : manifest.json n'est pas un JSON valide.") from exc
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise ArchiveRefused("Archive refusée : ce n'est pas une archive de réversibilité Patrimoine.")
        if manifest.get("version") != VERSION:
            raise ArchiveRefused(
                f"Archive refusée : format version {manifest.get('version')} non pris en charge (attendu : {VERSION})."
            )
        if not isinstance(manifest.get("fichiers"), dict) or not isinstance(manifest.get("comptes"), dict):
            raise ArchiveRefused("Archive refusée : le manifeste ne liste pas les fichiers et leurs empreintes.")
        return manifest

    def _verify(self) -> None:
        present = set(self.zip.namelist()) - {MANIFEST}
        extra = sorted(present - set(self.listed))
        if extra:
            raise ArchiveRefused(f"Archive altérée : « {extra[0]} » n'est pas dans le manifeste. Rien n'a été importé.")
        for name in sorted(self.listed):
            if name not in present:
                raise ArchiveRefused(f"Archive incomplète : « {name} » manque. Rien n'a été importé.")
            if name.startswith("fichiers/"):
                self.read_file(name)  # checks size and checksum without keeping it in memory
                continue
            content = self.zip.read(name)
            self._check(name, len(content), hashlib.sha256(content).hexdigest())
            self.data[name] = content
        for name, count in self.manifest["comptes"].items():
            if name not in self.data or self.data[name].count(b"\n") != count:
                raise ArchiveRefused(
                    f"Archive altérée : « {name} » n'a pas le nombre de lignes annoncé. Rien n'a été importé."
                )

    def _check(self, name: str, size: int, digest: str) -> None:
        expected = self.listed[name]
        if size != expected.get("octets") or digest != expected.get("sha256"):
            raise ArchiveRefused(
                f"Archive altérée : l'empreinte SHA-256 de « {name} » ne correspond pas au manifeste. "
                "Rien n'a été importé."
            )

    def read_file(self, name: str) -> bytes:
        """An attached file, checked against the manifest again as it is read."""
        digest, parts = hashlib.sha256(), []
        with self.zip.open(name) as source:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                parts.append(chunk)
        content = b"".join(parts)
        self._check(name, len(content), digest.hexdigest())
        return content

    def rows(self, name: str) -> list[dict]:
        if name not in self.data:
            return []
        try:
            return codec.parse_jsonl(self.data[name])
        except ValueError as exc:
            raise ArchiveRefused(f"Archive refusée : « {name} » n'est pas du JSON Lines valide.") from exc

    def has_file(self, name: str) -> bool:
        return name in self.listed and name not in self.absent
