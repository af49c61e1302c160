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

# --- Object ownership --------------------------------------------------------------------------------
# The tables above say which verbs a role has at all; this one says on WHICH work orders and requests
# (and so on everything that hangs on them: checklist, report and signature, cost lines, transitions,
# photos and documents, purchase orders linked to an order), from the user's relation to the object.
# It is the one statement of row-level rules: `work_orders_visible_to` / `work_order_may`
# (workorders/selectors.py), `work_requests_visible_to` / `work_request_may` (intake/selectors.py) and
# document serving (documents/selectors.py) are built from it, and every page, export, file, API
# operation and the field sync go through those. The generated matrix
# (core/tests/test_ownership_matrix.py) checks every URL of the project against it.
#
# Ownership narrows tenancy, never widens it: whatever the relation, the object's organisation must be
# in the user's scope — `read_org_ids` to read, `write_org_ids` to act.


class Owns:
    """Relations between a user and a work order or request."""

    # Any object of an organisation in scope: one's own, the communes one's shared team serves, the
    # EPCI's member communes for its direction (read only).
    SCOPE = "scope"
    HOME = "home"  # an object of the organisation the user acts for
    TEAM = "team"  # an order given to one of the user's teams (a shared team's, in the communes it serves)
    NAMED = "named"  # an order on which the user is named as technician
    CONTRACTOR = "contractor"  # an order given to the user's company
    UNTAKEN = "untaken"  # an order nobody has taken (no team, no contractor) in a commune the user's teams serve
    FILED = "filed"  # a request the user filed himself
    ANSWERED = "answered"  # a request answered by an order the user may read (for its photos only, see below)
    MINE = "mine"  # a cost line the user entered, or his own time


def _both(*relations: str) -> dict[str, frozenset[str]]:
    return {"read": frozenset(relations), "act": frozenset(relations)}


# Work orders: for each role, the relations that let it read an order ("read", with `workorders.view`)
# and act on it ("act": plan, report, validate — each still needs its verb in ROLE_ACTIONS).
WORK_ORDER_OWNERSHIP: dict[str, dict[str, frozenset[str]]] = {
    Role.ADMIN: _both(Owns.SCOPE),
    Role.MANAGER: _both(Owns.SCOPE),
    Role.READER: _both(Owns.SCOPE),
    # His organisation's orders, his teams' (a shared team's lead: in the communes it serves) and the
    # untaken orders of those communes — his to plan.
    Role.TEAM_LEAD: _both(Owns.HOME, Owns.TEAM, Owns.UNTAKEN),
    Role.TECHNICIAN: _both(Owns.TEAM, Owns.NAMED),
    Role.CONTRACTOR: _both(Owns.CONTRACTOR),
    Role.REQUESTER: _both(),  # follows his requests, and the progress of their orders, from the request pages
}

# Work requests: "read" with `intake.view_all` or `intake.create`; "act" is triage (`intake.triage`) and
# the public reply (`portal.reply`).
WORK_REQUEST_OWNERSHIP: dict[str, dict[str, frozenset[str]]] = {
    Role.ADMIN: _both(Owns.SCOPE),
    Role.MANAGER: _both(Owns.SCOPE),
    Role.TEAM_LEAD: _both(Owns.SCOPE),
    Role.READER: _both(Owns.SCOPE),
    Role.TECHNICIAN: {"read": frozenset({Owns.FILED}), "act": frozenset()},
    Role.REQUESTER: {"read": frozenset({Owns.FILED}), "act": frozenset()},
    Role.CONTRACTOR: _both(),
}

# Documents and photos are served to whoever may read the object they hang on. A request's photos are
# also served to whoever may read the order answering it (Owns.ANSWERED): the technician and the
# contractor on site see what was reported — the field app puts them on the phone — but not the
# request page itself, which carries the requester's personal data.
DOCUMENT_READERS: dict[str, frozenset[str]] = {
    "workorders.workorder": frozenset({"workorders.workorder"}),
    "intake.workrequest": frozenset({"intake.workrequest", Owns.ANSWERED}),
    "assets.site": frozenset({"assets.site"}),
    "assets.building": frozenset({"assets.building"}),
    "assets.equipment": frozenset({"assets.equipment"}),
}

# Cost lines (time, material, external costs) are read with their order. Who may remove one: those who
# plan or validate the order, any line; those who only report on it, their own (Owns.MINE).
COST_LINE_REMOVAL: dict[str, str] = {
    "workorders.plan": "any",
    "workorders.validate": "any",
    "workorders.report": Owns.MINE,
}

# Accounts: `accounts.identities` lists the single sign-on identities waiting for approval and decides
# them — opens the account with a role in one's own organisation, ties it to an account of that
# organisation only, or refuses it (« Identités en attente »).
ACCOUNTS_ACTIONS: dict[str, frozenset[str]] = {Role.ADMIN: frozenset({"accounts.identities"})}
for _role, _actions in ACCOUNTS_ACTIONS.items():
    ROLE_ACTIONS[_role] = ROLE_ACTIONS[_role] | _actions
