"""Reports on a PostgreSQL read replica: `using_replica()` and the router that honours it.

Dashboards, reports and their exports read a lot and write nothing; with `DATABASE_REPLICA_URL` set
they can read a streaming replica and leave the primary to the people at work. Routing is by code
path, not by model — the same work orders are written by the pages next door:

    @using_replica()
    def dashboard(request): ...

    with using_replica():
        rollup = cost_rollup(...)

Inside the block, reads go to the `replica` alias, except:
- inside a transaction (`atomic`) on the primary: it may have written, and must read its own writes;
- after any write made in the block (an audited export, say): the replica may not have it yet, so
  the rest of the block reads the primary.
Writes always go to `default`, even for an object read from the replica. Without a replica (the
alias is absent), or outside a block, the router has no opinion and everything reads `default`.

Tenancy is untouched: django-scopes and the selectors build the same filtered queries whichever
connection runs them. A replica lags its primary by the replication delay (usually well under a
second): a report may miss the order validated an instant ago, never show another organisation's.
"""

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"


@dataclass
class _Block:
    wrote: bool = False


_block: ContextVar[_Block | None] = ContextVar("patrimoine_replica_block", default=None)


@contextmanager
def using_replica():
    """Send the reads of the block (or of the decorated function) to the read replica, if any."""
    token = _block.set(_Block())
    try:
        yield
    finally:
        _block.reset(token)


def replica_configured() -> bool:
    return REPLICA in connections.settings


def read_alias() -> str:
    """The alias a read would use now (for tests and the /metrics of the ops side)."""
    return ReplicaRouter().db_for_read(None) or DEFAULT_DB_ALIAS


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        block = _block.get()
        if block is None or not replica_configured():
            return None
        if block.wrote or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return REPLICA

    def db_for_write(self, model, **hints):
        block = _block.get()
        if block is not None:
            block.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return False if db == REPLICA else None  # a replica receives the primary's schema by streaming
