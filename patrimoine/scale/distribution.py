"""The plan to distribute the database by organisation with Citus, as data: every table of the
project is placed here, and `scale/tests/test_distribution.py` fails when a model appears that the
plan does not place, or when a model stops fitting its place. docs/scale-out.md explains it.

- Every `TenantModel` is a *distributed* table, hashed on `organisation_id` and co-located with all
  the others: the rows of one organisation sit on one node, and its joins stay there.
- *Reference* tables are small, read everywhere, rarely written: replicated to every node.
- *Coordinator* tables belong to the instance (sessions, sign-in throttling, the job queue): they
  stay on the coordinator as local tables.
"""

DISTRIBUTION_COLUMN = "organisation_id"

# TenantModels that are nevertheless reference tables: small, and pointed at by the rows of other
# organisations (an EPCI's shared teams work on its communes' orders; its catalogue and contractors
# serve them too). Measured on the demo agglomeration: 1,808 of 2,377 assigned work orders point to
# a team of another organisation, 2,053 of 2,396 material lines to another organisation's item.
TENANT_REFERENCE_TABLES = {
    "organisations.Team": "shared teams of the EPCI are assigned the communes' orders and plans",
    "contractors.Contractor": "an EPCI's contractors (group purchasing) serve its communes",
    "stock.Item": "the EPCI's catalogue is used on the communes' orders (material lines)",
}

REFERENCE_TABLES = {
    # People and organisations: read on every request (the access context) and for every join on a name.
    "organisations.Organisation": "the collectivités, with their EPCI",
    "organisations.Membership": "read at sign-in and on every request (roles of a user, across organisations)",
    "organisations.TeamMember": "members of the (reference) teams",
    "organisations.Team_trades": "trades of the (reference) teams",
    "organisations.Team_served_organisations": "communes served by a shared team",
    "organisations.Trade": "national list of trades",
    "contractors.Contractor_trades": "trades of the (reference) contractors",
    "accounts.User": "people, members of one or several organisations",
    "accounts.User_groups": "Django's groups of a user",
    "accounts.User_user_permissions": "Django's permissions of a user",
    "accounts.OidcIdentity": "single sign-on identities (looked up by the provider's subject)",
    "portal.CitizenIdentity": "citizens signed in to the portal (no organisation; their reports point to them)",
    "auth.Permission": "Django's permissions",
    "auth.Group": "Django's groups",
    "auth.Group_permissions": "Django's group permissions",
    "contenttypes.ContentType": "target types of documents and audit entries",
    "otp_totp.TOTPDevice": "a user's two-factor devices",
    "otp_static.StaticDevice": "a user's recovery codes",
    "otp_static.StaticToken": "a user's recovery codes",
    "api.ApiToken": "looked up by its hash on every API call, before the organisation is known",
    "maintenance.NotificationPreference": "per user; calendar feeds are looked up by their token",
    # National catalogues.
    "assets.EquipmentCategory": "national list of equipment categories",
    "maintenance.StatutoryCheck": "the statutory inspections catalogue",
    "maintenance.StatutoryCheck_categories": "categories each inspection applies to",
}
REFERENCE_TABLES.update(TENANT_REFERENCE_TABLES)

COORDINATOR_TABLES = {
    "sessions.Session": "sessions (or Redis): looked up by key on every request",
    "admin.LogEntry": "Django admin's log",
    "axes.AccessAttempt": "sign-in throttling",
    "axes.AccessAttemptExpiration": "sign-in throttling",
    "axes.AccessFailureLog": "sign-in throttling",
    "axes.AccessLog": "sign-in log",
    "django_tasks_database.DBTaskResult": "the job queue (one queue for the instance, polled by the workers)",
    "maintenance.SchedulerSlot": "the scheduler's once-only slots",
    "maintenance.GenerationRun": "progress of a generator run (empty organisation: every organisation)",
    "maintenance.NotificationSent": "idempotency of e-mails, per user",
    "core.AuditChainHead": "head of the audit hash chain (to become one row per organisation: see below)",
    "ops.BackupRecord": "the instance's backups (manage.py backup)",
    "deploy.Upgrade": "the instance's upgrades (manage.py upgrade)",
}

# Not TenantModels, but owned by one organisation: distributed like them.
DISTRIBUTED_NON_TENANT = {
    "core.ReferenceSequence": "numbering per organisation, prefix and year",
    "core.AuditEntry": "the audit trail; instance-level entries (no organisation) need a pseudo-organisation 0",
    "workorders.WorkOrderTechnician": (
        "the named technicians of an order, with the order's organisation: they sit with their order; "
        "(workorder, user) stays unique per node (the order is co-located)"
    ),
}

# Business tables that do not carry the organisation key yet, and the change that gives it to them
# (required before `create_distributed_table`; harmless without Citus). None left: the named
# technicians of an order (`workorders_workorder_technicians`) got it with an explicit through model.
MISSING_ORGANISATION_KEY: dict[str, str] = {}

# Unique constraints of distributed tables that neither include the organisation nor a co-located
# parent (a foreign key to another distributed table): Citus cannot enforce them across nodes.
GLOBAL_UNIQUES = {
    "costs.TimeEntry.client_uuid": "idempotency key of the offline app: becomes (organisation_id, client_uuid)",
    "costs.MaterialLine.client_uuid": "idempotency key of the offline app: becomes (organisation_id, client_uuid)",
    "costs.ExternalCost.client_uuid": "idempotency key of the offline app: becomes (organisation_id, client_uuid)",
    "open311.ApiKey.key_hash": "checked with the jurisdiction: becomes (organisation_id, key_hash)",
    "stock.SupplierReference.uniq_supplier_reference": (
        "(item, supplier), both reference tables: becomes (organisation_id, item_id, supplier_id), a "
        "supplier's reference belonging to the organisation of the item"
    ),
    "open311.ServiceRequest.token": "public token (192 random bits); looked up across shards",
    "portal.PublicReport.token": "public tracking token (192 random bits); looked up across shards",
}

# Foreign keys between distributed tables whose two rows may belong to different organisations (the
# others always stay within one): on Citus the constraint is checked by the service, not the database.
CROSS_ORGANISATION_REFERENCES = {
    "stock.StockMovement.work_order": "an EPCI store issues parts to a commune's order (295 of 365 in the demo)",
    "chargeback.StatementLine.work_order": "the EPCI bills a commune for its orders (724 of 724 in the demo)",
}


def placement(label: str) -> str:
    """`distributed`, `reference`, `coordinator` or `missing-key` for a model label."""
    if label in REFERENCE_TABLES:
        return "reference"
    if label in COORDINATOR_TABLES:
        return "coordinator"
    if label in MISSING_ORGANISATION_KEY:
        return "missing-key"
    return "distributed"
