"""Write one organisation's archive: its rows, its files, the reference data they need, a manifest.

What belongs to the organisation (`registry`): the rows whose `organisation` is it, their
dependents and their many-to-many links — never a row of another organisation, even one it reads
(the EPCI's shared team, the EPCI's store and catalogue, the charge-back statements the EPCI issued
to it). When an owned row points to such a row, the archive carries an *external reference*: the id,
the owning organisation's slug and a natural key (a team's name, an article's reference, a work
order's number), so that the importer can link to it, or recreate a bare shell of it, on the target.

Reads only; runs inside `scopes_disabled()` with an explicit filter on the organisation.
"""

import hashlib
import zipfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django_scopes import scopes_disabled

from patrimoine.organisations.models import Organisation

from . import codec, describe
from .registry import (
    EXTERNAL_KEYS,
    NATURAL_KEYS,
    ORGANISATION_FIELDS,
    REFERENCE_DATA,
    SHELLS,
    USER_FIELDS,
    Table,
    owned_tables,
)

FORMAT = "patrimoine-reversibilite"
VERSION = 1
MANIFEST = "manifest.json"
CHUNK = 1024 * 1024
ZIP_DATE = (1980, 1, 1, 0, 0, 0)

Progress = Callable[[int, str], None]


@dataclass
class Collected:
    organisation: Organisation
    raw: dict[str, list[tuple]] = field(default_factory=dict)
    refs: dict[str, set] = field(default_factory=lambda: defaultdict(set))
    externals: dict[str, set] = field(default_factory=lambda: defaultdict(set))
    owned_ids: dict[str, set] = field(default_factory=dict)


def _quiet(percent: int, message: str) -> None:
    pass


def export_tenant(organisation: Organisation, destination, *, progress: Progress = _quiet) -> dict:
    """Write the archive of `organisation` to `destination` (a path or a binary file); return the manifest."""
    with scopes_disabled():
        data = _collect(organisation, progress)
        entries = _entries(data, progress)
        files = _files(data)
    progress(80, "Écriture de l'archive")
    return _write(organisation, destination, entries, files, progress)


def _collect(organisation: Organisation, progress: Progress) -> Collected:
    data = Collected(organisation)
    tables = owned_tables()
    for n, table in enumerate(tables):
        names = [table.model._meta.pk.attname] + [c.attname for c in table.columns]
        rows = table.model._base_manager.filter(**{table.owner: organisation})
        data.raw[table.label] = list(rows.values_list(*names))
        if table.uuid_pk:
            data.owned_ids[table.label] = {row[0] for row in data.raw[table.label]}
        progress(5 + 45 * n // len(tables), f"Lecture : {table.model._meta.verbose_name_plural}")
    for table in tables:
        for values in data.raw[table.label]:
            for column, value in zip(table.columns, values[1:], strict=True):
                if value is None:
                    continue
                if column.kind == "owned" and value not in data.owned_ids[column.target]:
                    data.externals[column.target].add(value)
                elif column.kind in ("org", "ref"):
                    data.refs[column.target].add(value)
    return data


def _natural(label: str, pks) -> dict:
    if label == "contenttypes.contenttype":
        types = ContentType.objects.filter(pk__in=pks).values_list("pk", "app_label", "model")
        return {pk: f"{app}.{model}" for pk, app, model in types}
    model = apps.get_model(label)
    return dict(model._base_manager.filter(pk__in=pks).values_list("pk", NATURAL_KEYS[label]))


def _entries(data: Collected, progress: Progress) -> dict[str, bytes]:
    entries: dict[str, bytes] = {}
    externals = _external_rows(data)
    references = _reference_rows(data)
    keys = {label: _natural(label, pks) for label, pks in data.refs.items()}
    for table in owned_tables():
        rows = [_row(table, values, keys) for values in data.raw[table.label]]
        rows.sort(key=(lambda r: r["id"]) if table.uuid_pk else codec.line)
        entries[table.data_path] = codec.jsonl(rows)
        entries[table.csv_path] = codec.csv_bytes(_header(table), rows)
    progress(60, "Données de référence")
    org = data.organisation
    entries["collectivite.json"] = (codec.line(_organisation_row(org, parent=True)) + "\n").encode()
    entries.update(references)
    entries["references/externes.jsonl"] = codec.jsonl(externals)
    entries["LISEZMOI.md"] = describe.readme(org).encode()
    return entries


def _header(table: Table) -> list[str]:
    return (["id"] if table.uuid_pk else []) + [c.name for c in table.columns]


def _row(table: Table, values: tuple, keys: dict) -> dict:
    pk, *rest = values
    row = {"id": str(pk)} if table.uuid_pk else {}
    for column, value in zip(table.columns, rest, strict=True):
        if value is None:
            row[column.name] = None
        elif column.kind in ("org", "ref"):
            row[column.name] = keys[column.target][value]
        elif column.kind == "file":
            row[column.name] = _file_path(table, pk, column.name, value) if value else ""
        else:
            row[column.name] = codec.plain(value)
    return row


def _file_path(table: Table, pk, name: str, stored: str) -> str:
    return f"fichiers/{table.label}/{pk}/{name}{PurePosixPath(stored).suffix.lower()}"


def _files(data: Collected) -> list[tuple[str, models.FileField, str]]:
    """(archive path, field, stored name) of every file an owned row holds."""
    files = []
    for table in owned_tables():
        for values in data.raw[table.label]:
            for column, value in zip(table.columns, values[1:], strict=True):
                if column.kind == "file" and value:
                    files.append((_file_path(table, values[0], column.name, value), column.field, value))
    return sorted(files)


def _organisation_row(org: Organisation, *, parent: bool = False) -> dict:
    row = {name: codec.plain(getattr(org, name)) for name in ORGANISATION_FIELDS}
    if parent:
        row.update(
            address=org.address,
            email=org.email,
            phone=org.phone,
            overhead_rate=codec.plain(org.overhead_rate),
            is_active=org.is_active,
            parent=org.parent.slug if org.parent_id else None,
        )
    return row


def _external_rows(data: Collected) -> list[dict]:
    rows = []
    for label, ids in sorted(data.externals.items()):
        model = apps.get_model(label)
        key = EXTERNAL_KEYS.get(label, ())
        shell = _shell_fields(model) if label in SHELLS else []
        for obj in model._base_manager.filter(pk__in=ids).select_related("organisation"):
            data.refs["organisations.organisation"].add(obj.organisation_id)
            rows.append(
                {
                    "modele": label,
                    "id": str(obj.pk),
                    "collectivite": obj.organisation.slug,
                    "cle": {k: codec.plain(getattr(obj, k)) for k in key},
                    "libelle": str(obj),
                    "champs": {f.name: codec.plain(getattr(obj, f.attname)) for f in shell},
                }
            )
    return sorted(rows, key=lambda r: (r["modele"], r["id"]))


def _shell_fields(model) -> list[models.Field]:
    skip = {"id", "organisation", "created_at", "updated_at"}
    return [f for f in model._meta.concrete_fields if not f.is_relation and f.name not in skip]


def _reference_rows(data: Collected) -> dict[str, bytes]:
    """Users, other organisations and the reference lists the owned rows point to."""
    out: dict[str, bytes] = {}
    for label in reversed(REFERENCE_DATA):  # a check names trades and categories, a category a trade
        model = apps.get_model(label)
        rows = []
        for obj in model._base_manager.filter(pk__in=data.refs.get(label, ())):
            row = {}
            for f in model._meta.concrete_fields:
                if f.primary_key:
                    continue
                if f.is_relation:
                    target = getattr(obj, f.name)
                    row[f.name] = getattr(target, NATURAL_KEYS[f.related_model._meta.label_lower]) if target else None
                    if target is not None:
                        data.refs[f.related_model._meta.label_lower].add(target.pk)
                else:
                    row[f.name] = codec.plain(getattr(obj, f.attname))
            for m2m in model._meta.many_to_many:
                related = m2m.related_model._meta.label_lower
                targets = list(getattr(obj, m2m.name).all())
                data.refs[related].update(t.pk for t in targets)
                row[m2m.name] = sorted(getattr(t, NATURAL_KEYS[related]) for t in targets)
            rows.append(row)
        rows.sort(key=lambda r: r[NATURAL_KEYS[label]])
        out[f"references/{label}.jsonl"] = codec.jsonl(rows)
    User = apps.get_model("accounts.user")
    users = User._base_manager.filter(pk__in=data.refs.get("accounts.user", ())).order_by("username")
    out["references/accounts.user.jsonl"] = codec.jsonl(
        [{name: codec.plain(getattr(u, name)) for name in USER_FIELDS} for u in users]
    )
    others = Organisation.objects.filter(pk__in=data.refs.get("organisations.organisation", ()))
    others = others.exclude(pk=data.organisation.pk)
    if data.organisation.parent_id:
        others = others | Organisation.objects.filter(pk=data.organisation.parent_id)
    out["references/organisations.organisation.jsonl"] = codec.jsonl(
        [_organisation_row(o) for o in others.distinct().order_by("slug")]
    )
    return dict(sorted(out.items()))


def _write(organisation, destination, entries: dict[str, bytes], files, progress: Progress) -> dict:
    listed: dict[str, dict] = {}
    counts: dict[str, int] = {}
    missing: list[str] = []
    with zipfile.ZipFile(destination, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(entries):
            content = entries[name]
            archive.writestr(zipfile.ZipInfo(name, ZIP_DATE), content, compress_type=zipfile.ZIP_DEFLATED)
            listed[name] = {"sha256": hashlib.sha256(content).hexdigest(), "octets": len(content)}
            if name.endswith(".jsonl"):
                counts[name] = content.count(b"\n")
        for n, (name, file_field, stored) in enumerate(files):
            storage = file_field.storage
            if not storage.exists(stored):
                missing.append(name)
                continue
            digest, size = hashlib.sha256(), 0
            with storage.open(stored, "rb") as source, archive.open(zipfile.ZipInfo(name, ZIP_DATE), "w") as target:
                while chunk := source.read(CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                    target.write(chunk)
            listed[name] = {"sha256": digest.hexdigest(), "octets": size}
            progress(80 + 18 * (n + 1) // len(files), "Copie des documents et photos")
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "application": "Patrimoine",
            "collectivite": {"slug": organisation.slug, "name": organisation.name},
            "exporte_le": timezone.now().isoformat(),
            "comptes": counts,
            "fichiers": dict(sorted(listed.items())),
            "fichiers_absents": missing,
        }
        archive.writestr(
            zipfile.ZipInfo(MANIFEST, ZIP_DATE),
            codec.json_pretty(manifest),
            compress_type=zipfile.ZIP_DEFLATED,
        )
    progress(100, "Archive prête")
    return manifest
