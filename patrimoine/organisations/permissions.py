"""What each role may do: the single table every view, API call and service consults.

Actions are `app.verb` strings. Object-level rules (a technician only reports on his team's orders,
a requester only follows his own requests, a contractor only sees his company's orders) live in the
selectors of each app, built on `Access`; this table says which verbs a role has at all.
"""

from patrimoine.organisations.models import Membership

Role = Membership.Role

ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset(
        {
            "assets.view",
            "assets.change",
            "intake.create",
            "intake.view_all",
            "intake.triage",
            "workorders.view",
            "workorders.plan",
            "workorders.report",
            "workorders.validate",
            "costs.view",
            "organisations.manage",
            "stock.view",
            "stock.issue",
            "stock.move",
            "stock.manage",
            "purchasing.view",
            "purchasing.manage",
            "budgets.view",
            "budgets.manage",
        }
    ),
    Role.MANAGER: frozenset(
        {
            "assets.view",
            "assets.change",
            "intake.create",
            "intake.view_all",
            "intake.triage",
            "workorders.view",
            "workorders.plan",
            "costs.view",
            "stock.view",
            "stock.issue",
            "stock.move",
            "stock.manage",
            "purchasing.view",
            "purchasing.manage",
            "budgets.view",
            "budgets.manage",
        }
    ),
    Role.TEAM_LEAD: frozenset(
        {
            "assets.view",
            "intake.create",
            "intake.view_all",
            "intake.triage",
            "workorders.view",
            "workorders.plan",
            "workorders.report",
            "workorders.validate",
            "costs.view",
            "stock.view",
            "stock.issue",
            "stock.move",
            "purchasing.view",
            "budgets.view",
            "field.use",
        }
    ),
    Role.TECHNICIAN: frozenset(
        {
            "assets.view",
            "intake.create",
            "workorders.view",
            "workorders.report",
            "stock.view",
            "stock.issue",
            "field.use",
        }
    ),
    Role.REQUESTER: frozenset({"assets.view", "intake.create"}),
    Role.READER: frozenset(
        {
            "assets.view",
            "intake.view_all",
            "workorders.view",
            "costs.view",
            "stock.view",
            "purchasing.view",
            "budgets.view",
        }
    ),
    Role.CONTRACTOR: frozenset({"workorders.view", "workorders.report", "purchasing.view"}),
}

# Roles of an EPCI whose holders see the member communes too (read only): the consolidated view.
CONSOLIDATED_ROLES = frozenset({Role.ADMIN, Role.READER})

# Roles that act for every organisation their teams serve (the shared team of the EPCI).
TEAM_ROLES = frozenset({Role.TEAM_LEAD, Role.TECHNICIAN})

# Dashboards and charge-back. `chargeback.view`: the statements one's organisation issued (and its
# reconciliation); `chargeback.receive`: the statements addressed to one's organisation (a commune's
# administrator and finance readers); `chargeback.issue`: preview and issue statements.
REPORTING_ACTIONS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset({"reporting.view", "chargeback.view", "chargeback.receive", "chargeback.issue"}),
    Role.MANAGER: frozenset({"reporting.view", "chargeback.view"}),
    Role.TEAM_LEAD: frozenset({"reporting.view", "chargeback.view", "chargeback.issue"}),
    Role.READER: frozenset({"reporting.view", "chargeback.view", "chargeback.receive"}),
}
for _role, _actions in REPORTING_ACTIONS.items():
    ROLE_ACTIONS[_role] = ROLE_ACTIONS[_role] | _actions

# Preventive maintenance and statutory compliance. `maintenance.view`: plans, compliance, calendars;
# `maintenance.manage`: create and change plans, apply the statutory catalogue, record findings and
# inspection reports; `maintenance.meter`: record meter readings (running hours, counts) on site.
MAINTENANCE_ACTIONS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset({"maintenance.view", "maintenance.manage", "maintenance.meter"}),
    Role.MANAGER: frozenset({"maintenance.view", "maintenance.manage", "maintenance.meter"}),
    Role.TEAM_LEAD: frozenset({"maintenance.view", "maintenance.meter"}),
    Role.TECHNICIAN: frozenset({"maintenance.view", "maintenance.meter"}),
    Role.READER: frozenset({"maintenance.view"}),
}
for _role, _actions in MAINTENANCE_ACTIONS.items():
    ROLE_ACTIONS[_role] = ROLE_ACTIONS[_role] | _actions

# Reversibility: `reversibility.export` starts a full export of one's organisation and downloads it.
REVERSIBILITY_ACTIONS: dict[str, frozenset[str]] = {Role.ADMIN: frozenset({"reversibility.export"})}
for _role, _actions in REVERSIBILITY_ACTIONS.items():
    ROLE_ACTIONS[_role] = ROLE_ACTIONS[_role] | _actions

# Imports from legacy systems (reprise de données): upload a CSV/XLSX/GeoJSON file, map its columns,
# check it and import it. Each kind also needs the action that creates such rows by hand
# (assets.change, stock.manage, workorders.plan): see `imports/importer.py`.
IMPORTS_ACTIONS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset({"imports.run"}),
    Role.MANAGER: frozenset({"imports.run"}),
}
for _role, _actions in IMPORTS_ACTIONS.items():
    ROLE_ACTIONS[_role] = ROLE_ACTIONS[_role] | _actions

# Open311 (citizen-reporting apps): `open311.manage`: create and revoke the organisation's API keys,
# publish or withdraw its request types (services).
OPEN311_ACTIONS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset({"open311.manage"}),
    Role.MANAGER: frozenset({"open311.manage"}),
}
for _role, _actions in OPEN311_ACTIONS.items():
    ROLE_ACTIONS[_role] = ROLE_ACTIONS[_role] | _actions

# Frugal AI (triage app). Suggestions, duplicates and estimates follow `intake.triage`;
# `triage.view`: the figures page of the organisation's model; `triage.manage`: switch AI on or off,
# train the organisation's model now.
TRIAGE_ACTIONS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset({"triage.view", "triage.manage"}),
    Role.MANAGER: frozenset({"triage.view"}),
}
for _role, _actions in TRIAGE_ACTIONS.items():
    ROLE_ACTIONS[_role] = ROLE_ACTIONS[_role] | _actions

# Citizen portal and counter. `portal.counter`: file a request on behalf of a person at a counter
# (France Services, town hall, phone), print the receipt, the « à rappeler » list; `portal.reply`:
# write a public reply to a citizen. PUBLIC_ROLE is the role of the anonymous visitor of the public
# portal of one organisation (`patrimoine.portal.access`): filing a report is all it may do.
PORTAL_ACTIONS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset({"portal.counter", "portal.reply"}),
    Role.MANAGER: frozenset({"portal.counter", "portal.reply"}),
    Role.TEAM_LEAD: frozenset({"portal.counter", "portal.reply"}),
    Role.REQUESTER: frozenset({"portal.counter"}),
}
for _role, _actions in PORTAL_ACTIONS.items():
    ROLE_ACTIONS[_role] = ROLE_ACTIONS[_role] | _actions
PUBLIC_ROLE = "public"
ROLE_ACTIONS[PUBLIC_ROLE] = frozenset({"intake.create"})

# Trust: `audit.view` searches and exports the audit trail of the organisations one reads;
# `privacy.manage` exports or erases a person's data on request (RGPD).
TRUST_ACTIONS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset({"audit.view", "privacy.manage"}),
}
for _role, _actions in TRUST_ACTIONS.items():
    ROLE_ACTIONS[_role] = ROLE_ACTIONS[_role] | _actions
