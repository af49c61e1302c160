"""Load an archive into this instance as a new organisation, in one transaction.

1. The whole archive is checked first (`archive.CheckedArchive`): a corrupted or altered archive is
   refused before anything is written.
2. Reference data is matched by natural key and created when missing: corps de métier, catégories,
   contrôles réglementaires; other organisations by slug (created inactive and empty); users by
   username, then e-mail, otherwise created without a usable password.
3. External references (rows of other organisations) are matched by id, then by natural key;
   a shared team or a catalogue article that is missing is recreated as an empty shell.
4. Owned rows keep their UUID when it is free here, otherwise get a new one (every reference to them
   follows); they are inserted table by table in foreign-key order, and the links that point forward
   (cycles, self references) are set in a second pass.
5. Attached files are stored again; if anything fails, the files already stored are deleted and
   the transaction rolls back: nothing is left behind.
"""

import uuid
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import PurePosixPath

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils.text import slugify
from django_scopes import scopes_disabled

from patrimoine.organisations.models import Membership, Organisation
from patrimoine.reporting import rollups

from .archive import ArchiveRefused, CheckedArchive
from .registry import (
    NATURAL_KEYS,
    REFERENCE_DATA,
    SHELLS,
    SOFT_REFERENCES,
    USER_FIELDS,
    UUID_REFERENCES,
    Table,
    owned_tables,
)

BATCH = 500
MISSING = object()


@dataclass
class ImportReport:
    organisation: Organisation | None = None
    rows: dict[str, int] = field(default_factory=dict)
    remapped: int = 0
    users_created: list[str] = field(default_factory=list)
    users_matched: int = 0
    references_created: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    shells: list[str] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    files: int = 0

    def lines(self) -> list[str]:
        out = [
            f"Collectivité importée : {self.organisation.name} ({self.organisation.slug}).",
            f"{sum(self.rows.values())} lignes dans {len([n for n in self.rows.values() if n])} tables, "
            f"{self.files} fichiers joints, {self.remapped} identifiants renumérotés (déjà pris ici).",
            f"Utilisateurs : {self.users_matched} retrouvés, {len(self.users_created)} créés sans mot de passe.",
        ]
        if self.references_created:
            created = ", ".join(f"{n} {label}" for label, n in sorted(self.references_created.items()))
            out.append(f"Données de référence créées : {created}.")
        if self.shells:
            kinds = defaultdict(int)
            for kind in self.shells:
                kinds[kind] += 1
            made = ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items()))
            out.append(f"Créés vides car appartenant à d'autres collectivités absentes d'ici : {made}.")
        if self.unresolved:
            out.append(f"Liens externes introuvables, laissés vides : {len(self.unresolved)}.")
        for label, n in sorted(self.skipped.items()):
            out.append(f"Écartées ({label}) : {n} lignes dont un lien obligatoire est introuvable ici.")
        return out


def import_tenant(source, *, as_slug: str | None = None) -> ImportReport:
    """Import the archive `source` (a path or a binary file); `as_slug` renames the organisation."""
    archive = CheckedArchive(source)
    stored: list[tuple] = []
    try:
        with scopes_disabled(), transaction.atomic(), given_timestamps():
            return _Importer(archive, stored).run(as_slug)
    except BaseException:
        for storage, name in stored:
            storage.delete(name)
        raise


class _Importer:
    def __init__(self, archive: CheckedArchive, stored: list):
        self.archive = archive
        self.stored = stored
        self.report = ImportReport()
        self.keys: dict[str, dict] = defaultdict(dict)  # reference label → natural key → pk
        self.ids: dict[str, dict] = defaultdict(dict)  # owned label → archived id → new id
        self.tokens: dict[str, dict] = defaultdict(dict)  # "label.field" → archived token → new token
        self.skipped: dict[str, set] = defaultdict(set)
        self.external: dict[tuple[str, str], object] = {}
        self.adopting = None  # the pk of an empty shell organisation being filled in, if any
        self.adopted: dict[str, set] = defaultdict(set)  # its shell rows (team, article) the archive holds

    def run(self, as_slug: str | None) -> ImportReport:
        self._reference_data()
        self._organisations(as_slug)
        self._users()
        self._content_types()
        self._externals()
        tables = [t for t in owned_tables() if t.data_path in self.archive.listed]
        self._plan_ids(tables)
        position = {t.label: n for n, t in enumerate(owned_tables())}
        deferred: dict[tuple[str, str], list] = defaultdict(list)
        for table in tables:
            self._insert(table, position, deferred)
        for (label, name, target), pairs in deferred.items():
            model = apps.get_model(label)
            attname = model._meta.get_field(name).attname
            done = [(pk, value) for pk, value in pairs if pk not in self.skipped[label]]
            objs = [model(pk=pk, **{attname: None if value in self.skipped[target] else value}) for pk, value in done]
            model._base_manager.bulk_update(objs, [name], batch_size=BATCH)
        rollups.rebuild([self.report.organisation.pk])  # the dashboards' rollups: derived, not archived
        return self.report

    # --- Reference data, organisations, users -------------------------------------------------

    def _reference_data(self) -> None:
        for label in REFERENCE_DATA:
            model = apps.get_model(label)
            key = NATURAL_KEYS[label]
            rows = self.archive.rows(f"references/{label}.jsonl")
            existing = dict(model._base_manager.filter(**{f"{key}__in": [r[key] for r in rows]}).values_list(key, "pk"))
            for row in rows:
                if row[key] in existing:
                    self.keys[label][row[key]] = existing[row[key]]
                    continue
                obj = model()
                for f in model._meta.concrete_fields:
                    if f.primary_key or f.name not in row:
                        continue
                    value = row[f.name]
                    if f.is_relation:
                        value = self._ref(f.related_model._meta.label_lower, value) if value is not None else None
                    else:
                        value = f.to_python(value)
                    setattr(obj, f.attname, value)
                obj.save()
                for m2m in model._meta.many_to_many:
                    target = m2m.related_model._meta.label_lower
                    getattr(obj, m2m.name).set([self._ref(target, k) for k in row.get(m2m.name, [])])
                self.keys[label][row[key]] = obj.pk
                self.report.references_created[str(model._meta.verbose_name_plural)] += 1

    def _organisations(self, as_slug: str | None) -> None:
        mine = self.archive.rows("collectivite.json")
        if len(mine) != 1:
            raise ArchiveRefused("Archive refusée : collectivite.json doit décrire une collectivité.")
        mine = mine[0]
        slug = as_slug or mine["slug"]
        if slugify(slug) != slug or not slug:
            raise ArchiveRefused(f"« {slug} » n'est pas un identifiant court valide (minuscules, chiffres, tirets).")
        existing = Organisation.objects.filter(slug=slug).first()
        if existing is not None and not _is_shell(existing):
            raise ArchiveRefused(
                f"La collectivité « {slug} » existe déjà sur cette instance : rien n'a été importé. "
                "Choisissez un autre identifiant avec --as <nouvel-identifiant>."
            )
        for row in self.archive.rows("references/organisations.organisation.jsonl"):
            found = Organisation.objects.filter(slug=row["slug"]).values_list("pk", flat=True).first()
            if found is None and row["slug"] != slug:
                org = Organisation.objects.create(
                    slug=row["slug"],
                    name=_free_name(row["name"], row["slug"]),
                    kind=row["kind"],
                    siren=row.get("siren", ""),
                    insee_code=row.get("insee_code", ""),
                    is_active=False,
                )
                found = org.pk
                self.report.shells.append("collectivité(s)")
            self.keys["organisations.organisation"][row["slug"]] = found
        parent = self.keys["organisations.organisation"].get(mine.get("parent")) if mine.get("parent") else None
        org = existing or Organisation(slug=slug)  # an empty shell left by an earlier import is filled in
        org.name = _free_name(mine["name"], slug, existing)
        org.kind = mine["kind"]
        org.parent_id = parent
        for name in ("siren", "insee_code", "address", "email", "phone"):
            setattr(org, name, mine.get(name, ""))
        org.overhead_rate = Decimal(mine.get("overhead_rate") or "0")
        org.is_active = mine.get("is_active", True)
        org.save()
        self.adopting = existing.pk if existing is not None else None
        self.keys["organisations.organisation"][mine["slug"]] = org.pk
        self.report.organisation = org

    def _users(self) -> None:
        User = get_user_model()
        for row in self.archive.rows("references/accounts.user.jsonl"):
            found = User._base_manager.filter(username=row["username"]).values_list("pk", flat=True).first()
            if found is None and row.get("email"):
                same = list(User._base_manager.filter(email__iexact=row["email"]).values_list("pk", flat=True)[:2])
                found = same[0] if len(same) == 1 else None
            if found is None:
                user = User(**{n: User._meta.get_field(n).to_python(row[n]) for n in USER_FIELDS if n in row})
                user.set_unusable_password()
                user.save()
                found = user.pk
                self.report.users_created.append(row["username"])
            else:
                self.report.users_matched += 1
            self.keys["accounts.user"][row["username"]] = found

    def _content_types(self) -> None:
        for ct in ContentType.objects.all():
            self.keys["contenttypes.contenttype"][f"{ct.app_label}.{ct.model}"] = ct.pk

    def _ref(self, label: str, key):
        try:
            return self.keys[label][key]
        except KeyError:
            raise ArchiveRefused(
                f"Archive incohérente : « {key} » ({label}) est cité mais absent des références. Rien n'a été importé."
            ) from None

    # --- External references --------------------------------------------------------------------

    def _externals(self) -> None:
        for row in self.archive.rows("references/externes.jsonl"):
            label, old = row["modele"], row["id"]
            model = apps.get_model(label)
            org = self.keys["organisations.organisation"].get(row["collectivite"])
            rows = model._base_manager.filter(organisation_id=org)
            found = rows.filter(pk=old).values_list("pk", flat=True).first()
            if found is None and row.get("cle"):
                found = rows.filter(**row["cle"]).values_list("pk", flat=True).first()
            if found is None and label in SHELLS and org is not None:
                shell = model(pk=old if not model._base_manager.filter(pk=old).exists() else uuid.uuid4())
                shell.organisation_id = org
                for name, value in row.get("champs", {}).items():
                    f = model._meta.get_field(name)
                    setattr(shell, f.attname, f.to_python(value))
                shell.save(force_insert=True)
                found = shell.pk
                self.report.shells.append(str(model._meta.verbose_name_plural))
            self.external[(label, old)] = found

    # --- Owned rows -----------------------------------------------------------------------------

    def _plan_ids(self, tables: list[Table]) -> None:
        """Keep each archived UUID (and unique token) unless this instance already uses it."""
        for table in tables:
            rows = self.archive.rows(table.data_path)
            if table.uuid_pk:
                olds = [row["id"] for row in rows]
                if self.adopting is not None and table.owner == "organisation":
                    mine = table.model._base_manager.filter(organisation_id=self.adopting, pk__in=olds)
                    self.adopted[table.label] = {str(pk) for pk in mine.values_list("pk", flat=True)}
                self.ids[table.label] = _renew(table.model, "pk", olds, keep=self.adopted[table.label])
                self.report.remapped += sum(old != new for old, new in self.ids[table.label].items())
            for column in table.columns:
                if column.kind == "token":
                    values = [row[column.name] for row in rows if row.get(column.name)]
                    self.tokens[f"{table.label}.{column.name}"] = _renew(table.model, column.attname, values)

    def _insert(self, table: Table, position: dict, deferred: dict) -> None:
        objs = []
        for row in self.archive.rows(table.data_path):
            obj = self._build(table, row, position, deferred)
            if obj is None:
                self.report.skipped[str(table.model._meta.verbose_name_plural)] += 1
                if table.uuid_pk:
                    self.skipped[table.label].add(self.ids[table.label][row["id"]])
                continue
            objs.append(obj)
        adopted = [obj for obj in objs if str(obj.pk) in self.adopted[table.label]]
        for obj in adopted:
            obj.save(force_update=True)
        fresh = [obj for obj in objs if str(obj.pk) not in self.adopted[table.label]]
        table.model._base_manager.bulk_create(fresh, batch_size=BATCH)
        self.report.rows[table.label] = len(objs)

    def _build(self, table: Table, row: dict, position: dict, deferred: dict):
        model = table.model
        obj = model()
        if table.uuid_pk:
            obj.pk = self.ids[table.label][row["id"]]
        later = []
        files = []
        nulled = False
        for column in table.columns:
            value = row.get(column.name, MISSING)
            if value is MISSING:
                if column.kind == "org" and column.name == table.owner:
                    # An archive written before the row had its organisation (the named technicians):
                    # the owner of an exported row is the exported organisation.
                    setattr(obj, column.attname, self.report.organisation.pk)
                continue
            f = column.field
            if value is None:
                setattr(obj, column.attname, None)
            elif column.kind == "owned":
                target = self._owned(column, value)
                if target is MISSING:
                    if not f.null:
                        return None
                    target, nulled = None, True
                if target is not None and (position[column.target] >= position[table.label]):
                    later.append((f.name, column.target, target))
                    target = None
                setattr(obj, column.attname, target)
            elif column.kind in ("org", "ref"):
                setattr(obj, column.attname, self._ref(column.target, value))
            elif column.kind == "file":
                files.append((f, value))
            elif column.kind == "json":
                setattr(obj, column.attname, value)
            elif column.kind == "token":
                setattr(obj, column.attname, self.tokens[f"{table.label}.{column.name}"][value])
            elif column.kind == "generic":
                ct_field, _ = table.generic
                label = row.get(ct_field, "") or ""
                setattr(obj, column.attname, f.to_python(self.ids.get(label, {}).get(value, value)))
            else:
                target = UUID_REFERENCES.get((table.label, column.name))
                if target:
                    value = self.ids.get(target, {}).get(value, value)
                setattr(obj, column.attname, f.to_python(value))
        if nulled and not _checks_hold(obj):
            return None  # an optional link left empty would break a rule of the row (a stock issue's order)
        soft = SOFT_REFERENCES.get(table.label)
        if soft:
            kind, ident = (getattr(obj, name) for name in soft)
            if kind in self.ids and ident in self.ids[kind]:
                setattr(obj, soft[1], self.ids[kind][ident])
        for f, value in files:
            setattr(obj, f.attname, self._restore(f, obj, value))
        for name, target_label, target in later:
            deferred[(table.label, name, target_label)].append((obj.pk, target))
        return obj

    def _owned(self, column, value):
        """The new id of an owned or external row, None when an optional link cannot be made here."""
        mapping = self.ids.get(column.target)
        if mapping is not None and value in mapping:
            return MISSING if mapping[value] in self.skipped[column.target] else mapping[value]
        found = self.external.get((column.target, value))
        if found is not None and not (
            column.field.unique and column.field.model._base_manager.filter(**{column.attname: found}).exists()
        ):
            return found  # a one-to-one link to another organisation's row is made only if that row is free
        self.report.unresolved.append(f"{column.target} {value}")
        return MISSING

    def _restore(self, f: models.FileField, obj, value: str) -> str:
        if not value or not self.archive.has_file(value):
            return ""
        content = self.archive.read_file(value)
        name = f.generate_filename(obj, PurePosixPath(value).name)
        saved = f.storage.save(name, ContentFile(content))
        self.stored.append((f.storage, saved))
        self.report.files += 1
        return saved


def _checks_hold(obj) -> bool:
    for constraint in obj._meta.constraints:
        if isinstance(constraint, models.CheckConstraint):
            try:
                constraint.validate(type(obj), obj)
            except ValidationError:
                return False
    return True


def _renew(model, attname: str, olds: list[str], keep=frozenset()) -> dict[str, str]:
    """old → old when this instance does not use the value in `attname` yet (or it is in `keep`: a
    shell row being filled in), else → a new UUID."""
    taken: set[str] = set()
    for start in range(0, len(olds), BATCH):
        chunk = olds[start : start + BATCH]
        taken |= {
            str(v) for v in model._base_manager.filter(**{f"{attname}__in": chunk}).values_list(attname, flat=True)
        }
    return {old: str(uuid.uuid4()) if old in taken and old not in keep else old for old in olds}


def _is_shell(org: Organisation) -> bool:
    """An organisation an earlier import created only to be pointed at: inactive, nobody, no own rows."""
    if org.is_active or Membership.objects.filter(organisation=org).exists():
        return False
    for table in owned_tables():
        if table.label not in SHELLS and table.model._base_manager.filter(**{table.owner: org}).exists():
            return False
    return True


def _free_name(name: str, slug: str, itself: Organisation | None = None) -> str:
    others = Organisation.objects.exclude(pk=itself.pk) if itself is not None else Organisation.objects.all()
    if not others.filter(name=name).exists():
        return name
    candidate = f"{name} ({slug})"
    if others.filter(name=candidate).exists():
        raise ArchiveRefused(f"Le nom « {candidate} » est déjà pris sur cette instance : rien n'a été importé.")
    return candidate


@contextmanager
def given_timestamps() -> Iterator[None]:
    """Rows keep their archived `created_at`/`updated_at` (auto_now fields only fill an empty value)."""
    patched = []
    for model in apps.get_models():
        for f in model._meta.concrete_fields:
            if isinstance(f, models.DateField) and (f.auto_now or f.auto_now_add):
                original = f.pre_save

                def pre_save(instance, add, _field=f, _original=original):
                    value = getattr(instance, _field.attname)
                    return value if value is not None else _original(instance, add)

                f.pre_save = pre_save
                patched.append(f)
    try:
        yield
    finally:
        for f in patched:
            del f.pre_save
