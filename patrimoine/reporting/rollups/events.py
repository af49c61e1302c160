"""The one definition of the rollups: each event of a work order or a work request, as a `GROUP BY`
over the raw rows.

An event is a queryset of `values(organisation_id, month, keys…).annotate(measures…)` over the rows
given. The same querysets serve three ways: over every row to rebuild (`store.rebuild`), over the
rows a service changes before and after the change (`tracking`: the difference is applied), and over
raw rows where rollups do not apply (tests compare both). Months are calendar months of Europe/Paris.

The figures they add up to are those of `reporting.selectors` on the raw tables:
- a request waits for triage from its filing until its triage (untriaged ones that are no longer
  new never waited); an order is open from its creation until it is completed (the last completion)
  or cancelled (the cancellation recorded, else its last save) — a close before the creation counts
  at the creation, so that « open at instant t » = opened before t − closed before t;
- the time to repair runs from a request's filing to the completion of its order, counted in the
  month of the completion, bucketed to the tenth of a day exactly as the dashboard rounds it;
- an order is on time when completed (Paris date) by its due date;
- costs are those of validated orders, in the month of validation.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    BigIntegerField,
    Case,
    CharField,
    Count,
    DateField,
    DecimalField,
    DurationField,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    UUIDField,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Greatest, TruncDate, TruncMonth
from django.db.models.lookups import GreaterThanOrEqual
from django.utils import timezone

from patrimoine.intake.models import WorkRequest
from patrimoine.reporting.models import (
    NO_BUILDING,
    NO_TRADE,
    BuildingMonth,
    Grain,
    OrderMonth,
    RepairMonth,
    RequestMonth,
)
from patrimoine.workorders.models import WorkOrder, WorkOrderTransition

Status = WorkOrder.Status
DAY_MICROS = 86_400_000_000
BUCKET_MICROS = DAY_MICROS // 10  # a tenth of a day


def month_of(expression) -> Cast:
    """The first day of the month (Europe/Paris) of a timestamp, as a date on every database."""
    return Cast(TruncMonth(expression, tzinfo=timezone.get_default_timezone()), DateField())


class Micros(Func):
    """A duration in whole microseconds (exact: PostgreSQL's epoch is numeric, SQLite's is integer)."""

    output_field = BigIntegerField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="(EXTRACT(EPOCH FROM %(expressions)s) * 1000000)::bigint")

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="%(expressions)s")


def bucket_of(micros) -> Case:
    """Tenths of a day rounded half away from zero, like Decimal's ROUND_HALF_UP of the dashboard.
    Integer division truncates toward zero on both databases."""
    half = Value(BUCKET_MICROS // 2, output_field=BigIntegerField())
    width = Value(BUCKET_MICROS, output_field=BigIntegerField())
    return Case(
        When(GreaterThanOrEqual(micros, Value(0, output_field=BigIntegerField())), then=(micros + half) / width),
        default=(micros - half) / width,
        output_field=BigIntegerField(),
    )


def python_bucket(micros: int) -> int:
    """The same rounding in Python (tests and readers of raw durations)."""
    half = BUCKET_MICROS // 2
    return (micros + half) // BUCKET_MICROS if micros >= 0 else -((-micros + half) // BUCKET_MICROS)


@dataclass(frozen=True)
class Event:
    name: str
    source: str  # "order" or "request"
    keys: tuple[str, ...]  # keys beyond organisation, month, trade and type of building
    targets: tuple[type, ...]  # rollup tables it feeds
    measures: tuple[str, ...]
    build: Callable[[QuerySet], QuerySet]

    def rows(self, queryset: QuerySet) -> QuerySet:
        """`values(organisation_id, k_month, k_trade, k_erp[, k_building | k_bucket], measures…)`."""
        return self.build(queryset)


def _erp() -> Coalesce:
    return Coalesce(F("building__erp_type"), Value(""), output_field=CharField())


def _order_trade():
    return F("trade_id")


def _request_trade():
    """The trade chosen at triage, else the suggested one."""
    return Coalesce(F("trade_id"), F("suggested_trade_id"), Value(NO_TRADE), output_field=IntegerField())


def _grouped(qs: QuerySet, month, trade, *extra: str, **measures) -> QuerySet:
    """Rows of `qs` grouped by organisation, month (k_month), trade (k_trade), type of building
    (k_erp) and the extra keys already annotated; with the measures."""
    qs = qs.annotate(k_month=month, k_trade=trade, k_erp=_erp())
    return qs.values("organisation_id", "k_month", "k_trade", "k_erp", *extra).annotate(**measures)


def _cancelled_at():
    """When an order was cancelled: the cancellation recorded, else its last save."""
    recorded = Subquery(
        WorkOrderTransition._base_manager.filter(work_order_id=OuterRef("pk"), to_status=Status.CANCELLED)
        .order_by("-at")
        .values("at")[:1]
    )
    return Case(When(status=Status.CANCELLED, then=Coalesce(recorded, F("updated_at"))), default=None)


def _opened(qs):
    return _grouped(qs, month_of("created_at"), _order_trade(), opened=Count("pk"))


def _closed(qs):
    qs = qs.annotate(_closed_at=Coalesce("completed_at", _cancelled_at())).filter(_closed_at__isnull=False)
    return _grouped(qs, month_of(Greatest("created_at", "_closed_at")), _order_trade(), closed=Count("pk"))


def _completed(qs):
    qs = qs.filter(completed_at__isnull=False).annotate(
        _completed_on=TruncDate("completed_at", tzinfo=timezone.get_default_timezone())
    )
    with_due = Q(due_date__isnull=False)
    return _grouped(
        qs,
        month_of("completed_at"),
        _order_trade(),
        completed=Count("pk"),
        completed_with_due=Count("pk", filter=with_due),
        completed_on_time=Count("pk", filter=with_due & Q(_completed_on__lte=F("due_date"))),
    )


def _validated(qs):
    qs = qs.filter(status=Status.VALIDATED, validated_at__isnull=False).annotate(
        k_building=Coalesce(F("building_id"), Value(NO_BUILDING), output_field=UUIDField())
    )
    return _grouped(
        qs,
        month_of("validated_at"),
        _order_trade(),
        "k_building",
        validated=Count("pk"),
        labour=Sum("labour_cost"),
        material=Sum("material_cost"),
        external=Sum("external_cost"),
        total=Sum("total_cost"),
    )


def _filed(qs):
    Channel = WorkRequest.Channel
    waits = Q(triaged_at__isnull=False) | Q(status=WorkRequest.Status.NEW)
    return _grouped(
        qs,
        month_of("created_at"),
        _request_trade(),
        filed_internal=Count("pk", filter=Q(channel=Channel.INTERNAL)),
        filed_citizen=Count("pk", filter=Q(channel=Channel.CITIZEN)),
        filed_counter=Count("pk", filter=Q(channel=Channel.COUNTER)),
        filed_field=Count("pk", filter=Q(channel=Channel.FIELD)),
        waiting_in=Count("pk", filter=waits),
    )


def _triaged(qs):
    qs = qs.filter(triaged_at__isnull=False)
    return _grouped(qs, month_of(Greatest("created_at", "triaged_at")), _request_trade(), waiting_out=Count("pk"))


def _repaired(qs):
    duration = ExpressionWrapper(F("work_order__completed_at") - F("created_at"), output_field=DurationField())
    qs = qs.filter(work_order__completed_at__isnull=False).annotate(_micros=Micros(duration))
    qs = qs.annotate(k_bucket=bucket_of(F("_micros")))
    return _grouped(
        qs,
        month_of("work_order__completed_at"),
        _request_trade(),
        "k_bucket",
        repaired=Count("pk"),
        repair_micros=Sum("_micros"),
    )


COST = ("validated", "labour", "material", "external", "total")
EVENTS = (
    Event("order_opened", "order", (), (OrderMonth,), ("opened",), _opened),
    Event("order_closed", "order", (), (OrderMonth,), ("closed",), _closed),
    Event(
        "order_completed",
        "order",
        (),
        (OrderMonth,),
        ("completed", "completed_with_due", "completed_on_time"),
        _completed,
    ),
    Event("order_validated", "order", ("building_id",), (OrderMonth, BuildingMonth), COST, _validated),
    Event("request_filed", "request", (), (RequestMonth,), RequestMonth.MEASURES[:5], _filed),
    Event("request_triaged", "request", (), (RequestMonth,), ("waiting_out",), _triaged),
    Event("request_repaired", "request", ("bucket",), (RepairMonth,), RepairMonth.MEASURES, _repaired),
)
ORDER_EVENTS = tuple(e for e in EVENTS if e.source == "order")
REQUEST_EVENTS = tuple(e for e in EVENTS if e.source == "request")

# Which keys each grain keeps (the others take their neutral value), and which grains each table holds.
GRAIN_KEYS = {Grain.ORGANISATION: (), Grain.TRADE: ("trade_id",), Grain.DETAIL: ("trade_id", "erp_type")}
ALWAYS_KEYS = {RepairMonth: ("bucket",), BuildingMonth: ("building_id",)}
GRAINS = {
    RequestMonth: (Grain.TRADE, Grain.DETAIL),
    RepairMonth: (Grain.ORGANISATION, Grain.DETAIL),
    OrderMonth: (Grain.TRADE, Grain.DETAIL),
    BuildingMonth: (Grain.ORGANISATION,),  # a trade's costs per building: raw orders (index on trade)
}
NEUTRAL = {"trade_id": NO_TRADE, "erp_type": "", "building_id": NO_BUILDING, "bucket": 0}


def finest(table) -> Grain:
    return max(GRAINS[table], key=lambda grain: len(kept_keys(table, grain)))


def kept_keys(table, grain) -> tuple[str, ...]:
    """The keys of `table` that hold a value at `grain` (the rest hold NEUTRAL)."""
    kept = set(GRAIN_KEYS[grain]) | set(ALWAYS_KEYS.get(table, ()))
    return tuple(key for key in table.KEYS if key in kept)


# One query per source: its events' rows in the same columns (zeros where an event measures nothing),
# joined with UNION ALL, `k_event` telling which event a row is.
UNIFORM_KEYS = ("organisation_id", "k_month", "k_trade", "k_erp", "k_building", "k_bucket", "k_event")
MONEY_FIELD = DecimalField(max_digits=14, decimal_places=2)


def _zero(measure: str):
    if measure in ("labour", "material", "external", "total"):
        return Value(Decimal("0"), output_field=MONEY_FIELD)
    return Value(0, output_field=BigIntegerField() if measure == "repair_micros" else IntegerField())


def source_measures(source: str) -> tuple[str, ...]:
    measures: list[str] = []
    for event in EVENTS:
        if event.source == source:
            measures += [m for m in event.measures if m not in measures]
    return tuple(measures)


def uniform_rows(source: str, queryset: QuerySet) -> QuerySet:
    """Every event of `source` (« order » or « request ») over `queryset`, in one UNION ALL query."""
    events = [event for event in EVENTS if event.source == source]
    measures = source_measures(source)
    parts = []
    for index, event in enumerate(events):
        rows = event.rows(queryset)
        missing = {m: _zero(m) for m in measures if m not in event.measures}
        if "building_id" not in event.keys:
            missing["k_building"] = Value(NO_BUILDING, output_field=UUIDField())
        if "bucket" not in event.keys:
            missing["k_bucket"] = Value(0, output_field=BigIntegerField())
        rows = rows.annotate(k_event=Value(index, output_field=IntegerField()), **missing)
        parts.append(rows.values(*UNIFORM_KEYS, *measures).order_by())
    return parts[0].union(*parts[1:], all=True).order_by()


def source_events(source: str) -> list[Event]:
    return [event for event in EVENTS if event.source == source]


def raw_orders():
    return WorkOrder._base_manager.all()


def raw_requests():
    return WorkRequest._base_manager.all()
