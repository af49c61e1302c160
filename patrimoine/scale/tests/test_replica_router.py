"""Where the reads of `using_replica()` go. With a real streaming replica the behaviour is shown in
test_two_servers.py (PostgreSQL); here, the rules on both databases: the replica only inside a
block, never inside a transaction, never after a write, and nowhere when no replica is configured."""

import pytest
from django.db import DEFAULT_DB_ALIAS, transaction
from django.urls import reverse

from patrimoine.core import replica
from patrimoine.core.replica import REPLICA, ReplicaRouter, read_alias, using_replica
from patrimoine.organisations.models import Membership
from patrimoine.workorders.models import WorkOrder


@pytest.fixture
def with_replica(monkeypatch):
    """As if DATABASE_REPLICA_URL were set (the alias itself is not opened by these tests)."""
    monkeypatch.setattr(replica, "replica_configured", lambda: True)


def test_without_a_replica_everything_reads_the_primary():
    with using_replica():
        assert read_alias() == DEFAULT_DB_ALIAS


def test_reads_go_to_the_replica_only_inside_a_block(with_replica):
    assert read_alias() == DEFAULT_DB_ALIAS
    with using_replica():
        assert read_alias() == REPLICA
        assert ReplicaRouter().db_for_read(WorkOrder) == REPLICA
    assert read_alias() == DEFAULT_DB_ALIAS


def test_writes_always_go_to_the_primary_and_the_rest_of_the_block_reads_it(with_replica):
    router = ReplicaRouter()
    with using_replica():
        assert router.db_for_write(WorkOrder) == DEFAULT_DB_ALIAS
        assert router.db_for_read(WorkOrder) == DEFAULT_DB_ALIAS  # read your own write
    with using_replica():  # a new block starts on the replica again
        assert router.db_for_read(WorkOrder) == REPLICA


def test_the_decorator_opens_a_block_per_call(with_replica):
    @using_replica()
    def report():
        return read_alias()

    assert report() == REPLICA and report() == REPLICA and read_alias() == DEFAULT_DB_ALIAS


@pytest.mark.django_db(transaction=True)
def test_inside_a_transaction_reads_stay_on_the_primary(with_replica):
    with using_replica():
        assert read_alias() == REPLICA
        with transaction.atomic():
            assert read_alias() == DEFAULT_DB_ALIAS


def test_the_replica_is_never_migrated():
    router = ReplicaRouter()
    assert router.allow_migrate(REPLICA, "workorders") is False
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "workorders") is None


@pytest.mark.django_db
def test_the_dashboards_still_answer_without_a_replica(f, login):
    commune = f.organisation("Nesmy")
    client = login(f.user("claire", role=Membership.Role.MANAGER, organisation=commune))
    for name in ("reporting:dashboard", "reporting:costs"):
        assert client.get(reverse(name)).status_code == 200
