"""What an organisation's archive holds, discovered from the models themselves.

Owned tables (the rows of ONE organisation):
- every subclass of `TenantModel` (its `organisation` is the exported one);
- every other model with a foreign key named `organisation` to `Organisation` (memberships,
  reference counters, the audit trail, maintenance generation runs);
- every model whose required foreign key points to an owned tenant model and that has no
  organisation of its own (team members, through a team);
- the automatic through tables of the many-to-many fields of those models (team ↔ trades…); an
  explicit one with its own `organisation` (work order ↔ technicians) is owned like the others.

Everything else an owned row points to is *reference data*, written by natural key (a user by
username, a trade, an equipment category or a statutory check by code, an organisation by slug, a
content type by `app.model`) — or, when it is a tenant row of ANOTHER organisation (the EPCI's shared
team on a commune's work order), an *external reference* (see `exporter`).

Only the natural keys below are listed by hand; a new model with a foreign key to something that is
neither owned nor listed here makes `owned_tables()` raise, so the guard test fails loudly.
"""

from dataclasses import dataclass, field
from functools import cache

from django.apps import apps
from django.contrib.contenttypes.fields import GenericForeignKey
from django.core.exceptions import ImproperlyConfigured
from django.db import models

from patrimoine.core.models import TenantModel

# Tables never exported: the archives themselves; the dashboards' rollups (recomputed on import).
EXCLUDED = frozenset(
    {
        "reversibility.tenantexport",
        "reporting.requestmonth",
        "reporting.repairmonth",
        "reporting.ordermonth",
        "reporting.buildingmonth",
    }
)

# Reference models: label → natural key field. Their rows are matched (or created) by this key.
NATURAL_KEYS = {
    "accounts.user": "username",
    "organisations.organisation": "slug",
    "organisations.trade": "code",
    "assets.equipmentcategory": "code",
    "maintenance.statutorycheck": "code",
    "contenttypes.contenttype": None,  # "app_label.model", present on every instance
}
# Reference lists written in full to the archive (the importer creates those it lacks), in the order
# they can be created. Users and organisations have their own files with chosen fields only.
REFERENCE_DATA = ("organisations.trade", "assets.equipmentcategory", "maintenance.statutorycheck")
USER_FIELDS = ("username", "email", "first_name", "last_name", "phone", "is_active", "date_joined")
ORGANISATION_FIELDS = ("slug", "name", "kind", "siren", "insee_code")

# Tenant rows of another organisation that the importer may recreate as an empty shell when the
# target instance lacks them (a shared team known by its name, a catalogue article by its
# reference): label → natural key within their organisation. Other external rows are only matched.
SHELLS = {"organisations.team": ("name",), "stock.item": ("reference",)}
EXTERNAL_KEYS = {**SHELLS, "workorders.workorder": ("reference",), "stock.store": ("name",)}

# Text columns that hold another row's id: (type column holding "app.model", id column).
SOFT_REFERENCES = {"core.auditentry": ("target_type", "target_id")}
# Plain UUID columns that hold the id of an owned row (no foreign key): remapped with it.
UUID_REFERENCES = {("stock.stockmovement", "material_line_id"): "costs.materialline"}
# Links to a person's sign-in on THIS instance, not the collectivité's data: left out of the archive
# (the report is imported unlinked; the citizen identity itself belongs to no organisation).
NOT_EXPORTED = frozenset({("portal.publicreport", "citizen")})
# Archive names kept when a table changed model: the named technicians of an order were Django's
# automatic many-to-many table (`workorders.workorder_technicians`) until the explicit through model
# WorkOrderTechnician took it over, adding `organisation`. Its file keeps the name, so that archives
# written before and after import alike (the importer fills the owner column an older archive lacks).
ARCHIVE_NAMES = {"workorders.workordertechnician": "workorders.workorder_technicians"}


@dataclass
class Column:
    """How one concrete field is written: `kind` is scalar, json, file, owned, org, ref, generic or
    token (a unique UUID such as an idempotency key: renewed on import when already taken)."""

    field: models.Field
    kind: str
    target: str = ""  # label of the related model for owned/org/ref

    @property
    def name(self) -> str:
        return self.field.name

    @property
    def attname(self) -> str:
        return self.field.attname


@dataclass
class Table:
    model: type[models.Model]
    owner: str  # ORM path from the row to its organisation, e.g. "team__organisation"
    columns: list[Column] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    @property
    def uuid_pk(self) -> bool:
        return isinstance(self.model._meta.pk, models.UUIDField)

    @property
    def archive_name(self) -> str:
        """The name of the table's files in the archive: its label, unless kept from an earlier model."""
        return ARCHIVE_NAMES.get(self.label, self.label)

    @property
    def data_path(self) -> str:
        return f"donnees/{self.archive_name}.jsonl"

    @property
    def csv_path(self) -> str:
        return f"csv/{self.archive_name}.csv"

    @property
    def generic(self) -> tuple[str, str] | None:
        for private in self.model._meta.private_fields:
            if isinstance(private, GenericForeignKey):
                return private.ct_field, private.fk_field
        return None


def _label(model) -> str:
    return model._meta.label_lower


def _owners() -> dict[str, tuple[type[models.Model], str]]:
    owners: dict[str, tuple[type[models.Model], str]] = {}
    concrete = [m for m in apps.get_models() if _label(m) not in EXCLUDED]
    for model in concrete:
        if issubclass(model, TenantModel):
            owners[_label(model)] = (model, "organisation")
        else:
            org = next((f for f in model._meta.concrete_fields if f.name == "organisation" and f.many_to_one), None)
            if org is not None and _label(org.related_model) == "organisations.organisation":
                owners[_label(model)] = (model, "organisation")
    for model in concrete:
        if _label(model) in owners or _label(model) in NATURAL_KEYS:
            continue
        for f in model._meta.concrete_fields:
            if f.many_to_one and not f.null and issubclass(f.related_model, TenantModel):
                owners[_label(model)] = (model, f"{f.name}__organisation")
                break
    for model, owner in list(owners.values()):
        for m2m in model._meta.local_many_to_many:
            through = m2m.remote_field.through
            if through._meta.auto_created:
                owners[_label(through)] = (through, f"{m2m.m2m_field_name()}__{owner}")
    return owners


def _columns(model, owned: set[str]) -> list[Column]:
    generic = {}
    for private in model._meta.private_fields:
        if isinstance(private, GenericForeignKey):
            generic[private.fk_field] = private.ct_field
    columns = []
    for f in model._meta.concrete_fields:
        if f.primary_key or (_label(model), f.name) in NOT_EXPORTED:
            continue
        if f.is_relation:
            target = _label(f.related_model)
            if target in owned:
                if not isinstance(f.related_model._meta.pk, models.UUIDField):
                    raise ImproperlyConfigured(f"{_label(model)}.{f.name} pointe vers {target}, sans identifiant UUID.")
                columns.append(Column(f, "owned", target))
            elif target == "organisations.organisation":
                columns.append(Column(f, "org", target))
            elif target in NATURAL_KEYS:
                columns.append(Column(f, "ref", target))
            else:
                raise ImproperlyConfigured(f"{_label(model)}.{f.name} → {target} : ni possédé ni clé naturelle connue.")
        elif f.name in generic:
            columns.append(Column(f, "generic"))
        elif isinstance(f, models.FileField):
            columns.append(Column(f, "file"))
        elif isinstance(f, models.JSONField):
            columns.append(Column(f, "json"))
        elif isinstance(f, models.UUIDField) and f.unique:
            columns.append(Column(f, "token"))
        else:
            columns.append(Column(f, "scalar"))
    return columns


@cache
def owned_tables() -> tuple[Table, ...]:
    """The owned tables in an order where every required foreign key points to an earlier table."""
    owners = _owners()
    tables = {label: Table(model, owner) for label, (model, owner) in owners.items()}
    for table in tables.values():
        table.columns = _columns(table.model, set(tables))
    required = {
        label: {c.target for c in t.columns if c.kind == "owned" and not c.field.null and c.target != label}
        for label, t in tables.items()
    }
    wanted = {
        label: {c.target for c in t.columns if c.kind == "owned" and c.target != label} for label, t in tables.items()
    }
    ordered: list[Table] = []
    done: set[str] = set()
    while len(ordered) < len(tables):
        left = sorted(label for label in tables if label not in done)
        # Every link satisfied first; when optional links make a cycle, break it at the first table
        # whose required links are (its optional links are then set in a second pass on import).
        ready = [label for label in left if wanted[label] <= done]
        if not ready:
            ready = [label for label in left if required[label] <= done][:1]
        if not ready:
            raise ImproperlyConfigured(f"Cycle de clés étrangères obligatoires : {left}")
        for label in ready:
            ordered.append(tables[label])
            done.add(label)
    return tuple(ordered)


def table_for(label: str) -> Table | None:
    return next((t for t in owned_tables() if t.label == label), None)
