"""Issuing a statement: numbered, frozen, never twice the same order; refusals change nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_scopes import ScopeError, scope, scopes_disabled

from conftest import access_of
from patrimoine.chargeback.models import Statement, StatementLine
from patrimoine.chargeback.selectors import quarter, statement_draft
from patrimoine.chargeback.services import statement_issue
from patrimoine.core.errors import ConcurrentEditError, DomainError, PermissionRefused
from patrimoine.core.models import AuditEntry, ReferenceSequence
from patrimoine.costs.models import LabourRate
from patrimoine.costs.selectors import Period
from patrimoine.organisations.models import Organisation
from patrimoine.workorders.models import WorkOrder

from .helpers import LAST_YEAR, Q1, Q2, paris, shared_world, validated_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(f):
    world = shared_world(f)
    nesmy = world["communes"][0]
    school = f.building(nesmy, "École Jules Ferry")
    world["school"] = school
    world["leak"] = validated_order(
        f,
        world,
        nesmy,
        at=paris(2, 12),
        title="Fuite sous l'évier",
        building=school,
        time=[(world["ahmed"], "1.75", "38.40")],
        materials=[("Joint fibre 20/27", 2, "0.85"), ("Flexible inox 50 cm", 1, "12.40")],
        externals=["15.15"],
    )
    world["boiler"] = validated_order(
        f, world, nesmy, at=paris(3, 3), title="Chaudière", time=[(world["lucas"], "2.5", "41.20")]
    )
    return world


def _issue(world, period=Q1, commune=None, user=None, **kwargs):
    return statement_issue(
        access=access_of(user or world["chef"], world["epci"]),
        commune=commune or world["communes"][0],
        period=period,
        **kwargs,
    )


def _state():
    with scopes_disabled():
        return (
            Statement.objects.count(),
            StatementLine.objects.count(),
            AuditEntry.objects.count(),
            sum(ReferenceSequence.objects.filter(prefix="RF").values_list("last_value", flat=True)),
        )


def test_issued_statement_is_numbered_itemised_and_totalled(world):
    statement = _issue(world, now=timezone.make_aware(dt.datetime(LAST_YEAR, 4, 3, 9)))
    assert statement.reference == f"RF-{LAST_YEAR}-000001"
    assert (statement.commune_name, statement.issuer_name) == ("Nesmy", world["epci"].name)
    assert statement.line_count == 2
    # 1 h 45 × 38,40 = 67,20 ; 2 × 0,85 + 12,40 = 14,10 ; 15,15 ; 2 h 30 × 41,20 = 103,00
    assert (statement.labour, statement.material, statement.external) == (
        Decimal("170.20"),
        Decimal("14.10"),
        Decimal("15.15"),
    )
    assert statement.subtotal == Decimal("199.45")
    assert statement.overhead == Decimal("15.96")  # 8 % of 199,45 = 15,956
    assert statement.total == Decimal("215.41")
    assert statement.hours == Decimal("4.25")
    with scopes_disabled():
        leak = StatementLine.objects.get(work_order=world["leak"])
        assert AuditEntry.objects.filter(action="chargeback.issue", target_id=str(statement.pk)).exists()
    assert (leak.reference, leak.title, leak.place) == (
        world["leak"].reference,
        "Fuite sous l'évier",
        "École Jules Ferry",
    )
    assert [(i["kind"], i["quantity"], i["unit_price"], i["amount"]) for i in leak.detail] == [
        ("labour", "1.75", "38.40", "67.20"),
        ("material", "2", "0.8500", "1.70"),
        ("material", "1", "12.4000", "12.40"),
        ("external", "1", "15.15", "15.15"),
    ]
    assert "Ahmed Benali" in leak.detail[0]["label"]


def test_numbers_follow_each_other_per_epci_and_year(world, f):
    first = _issue(world, Q1)
    validated_order(f, world, world["communes"][1], at=paris(5, 5), externals=["10"])
    second = _issue(world, Q2, commune=world["communes"][1])
    assert (first.reference, second.reference) == (
        f"RF-{timezone.localdate().year}-000001",
        f"RF-{timezone.localdate().year}-000002",
    )


def test_a_later_change_to_an_order_never_changes_an_issued_statement(world):
    statement = _issue(world)
    with scopes_disabled():
        before = list(StatementLine.objects.filter(statement=statement).values())
        leak = world["leak"]
        WorkOrder.objects.filter(pk=leak.pk).update(
            title="Autre titre", labour_cost=Decimal("999.00"), total_cost=Decimal("1028.25")
        )
        LabourRate.objects.all().update(hourly_rate=Decimal("99.00"))
        Organisation.objects.filter(pk=world["communes"][0].pk).update(name="Nesmy-la-Neuve")
        Organisation.objects.filter(pk=world["epci"].pk).update(overhead_rate=Decimal("20.00"))
        after = Statement.objects.get(pk=statement.pk)
        assert list(StatementLine.objects.filter(statement=statement).values()) == before
    for name in ("subtotal", "overhead", "total", "overhead_rate", "commune_name", "reference", "line_count"):
        assert getattr(after, name) == getattr(statement, name), name


def test_an_issued_statement_cannot_be_saved_or_deleted(world):
    statement = _issue(world)
    statement.total = Decimal("1.00")
    with pytest.raises(DomainError, match="ne peut plus être modifié"):
        statement.save()
    with pytest.raises(DomainError, match="ne peut pas être supprimé"):
        statement.delete()
    with scopes_disabled():
        line = StatementLine.objects.filter(statement=statement).first()
        with pytest.raises(DomainError):
            line.save()
        assert Statement.objects.get(pk=statement.pk).total != Decimal("1.00")


def test_the_same_orders_cannot_be_issued_twice(world):
    _issue(world)
    before = _state()
    with pytest.raises(DomainError, match="Rien à refacturer à Nesmy du 01/01/.* au 31/03/.*déjà sur un relevé émis"):
        _issue(world)
    assert _state() == before


def test_an_overlapping_period_bills_only_what_no_statement_bills_yet(world, f):
    first = _issue(world, Period(Q1.start, dt.date(LAST_YEAR, 2, 28)))
    assert first.line_count == 1
    second = _issue(world, Period(dt.date(LAST_YEAR, 2, 1), Q1.end))
    with scopes_disabled():
        assert list(StatementLine.objects.filter(statement=second).values_list("work_order_id", flat=True)) == [
            world["boiler"].pk
        ]


def test_the_database_refuses_a_second_line_for_a_billed_order(world):
    statement = _issue(world)
    with scopes_disabled():
        line = StatementLine.objects.filter(statement=statement).first()
        copy = StatementLine(
            organisation=line.organisation,
            commune=line.commune,
            statement=statement,
            work_order=line.work_order,
            position=99,
            reference=line.reference,
            title=line.title,
            validated_on=line.validated_on,
            hours=0,
            labour=0,
            material=0,
            external=0,
            subtotal=0,
        )
        with pytest.raises(IntegrityError), transaction.atomic():
            copy.save()


def test_a_draft_that_changed_since_the_preview_is_not_issued(world, f):
    fingerprint = statement_draft(world["epci"], world["communes"][0], Q1).fingerprint
    validated_order(f, world, world["communes"][0], at=paris(3, 20), externals=["42.00"])
    before = _state()
    with pytest.raises(ConcurrentEditError, match="ont changé depuis l'aperçu"):
        _issue(world, fingerprint=fingerprint)
    assert _state() == before
    fresh = statement_draft(world["epci"], world["communes"][0], Q1).fingerprint
    assert _issue(world, fingerprint=fresh).line_count == 3


def test_a_period_not_yet_over_cannot_be_issued(world):
    today = timezone.localdate()
    year, number = today.year, (today.month - 1) // 3 + 1
    before = _state()
    with pytest.raises(DomainError, match="La période n'est pas terminée"):
        _issue(world, quarter(year, number))
    assert _state() == before


def test_only_communes_the_epci_serves_can_be_billed(world, f):
    stranger = f.organisation("Commune lointaine")
    before = _state()
    with pytest.raises(DomainError, match="ne refacture pas de travaux à Commune lointaine"):
        _issue(world, commune=stranger)
    with pytest.raises(DomainError, match="ne refacture pas"):
        _issue(world, commune=world["epci"])
    assert _state() == before


@pytest.mark.parametrize("who", ["technician_epci", "manager_epci", "reader_epci"])
def test_roles_without_the_issue_right_cannot_issue(world, who):
    before = _state()
    with pytest.raises(PermissionRefused):
        _issue(world, user=world[who])
    assert _state() == before


def test_a_commune_administrator_cannot_issue_to_itself_or_its_neighbour(world):
    nesmy, venansault = world["communes"]
    before = _state()
    with pytest.raises(DomainError):
        statement_issue(access=access_of(world["admin_nesmy"], nesmy), commune=venansault, period=Q1)
    assert _state() == before


def test_orders_of_a_communes_own_team_are_not_billed(world, f):
    nesmy = world["communes"][0]
    own = f.team(nesmy, "Services techniques")
    mine = validated_order(f, world, nesmy, at=paris(1, 20), externals=["80"], team=own)
    statement = _issue(world)
    with scopes_disabled():
        assert not StatementLine.objects.filter(work_order=mine).exists()
    assert statement.line_count == 2


def test_statements_are_unreadable_outside_a_scope_and_scoped_to_either_party(world):
    statement = _issue(world)
    with pytest.raises(ScopeError):
        Statement.objects.count()
    nesmy, venansault = world["communes"]
    with scope(organisation=[nesmy.pk]):
        assert list(Statement.objects.all()) == [statement]
    with scope(organisation=[world["epci"].pk]):
        assert list(Statement.objects.all()) == [statement]
    with scope(organisation=[venansault.pk]):
        assert not Statement.objects.exists()
