"""Turn the description of a job (who, where, when, how long, with what) into consistent rows.

`Ledger.add_order` takes an `OrderSpec` and builds the work order with its transitions, time entries,
material lines, external costs, report and the request it came from; its cost totals are computed
exactly as `patrimoine.costs.services.work_order_recompute_costs` does (sum of the lines' amounts,
each to the cent). `Ledger.save` numbers everything (BT-/DI-YYYY-nnnnnn per organisation and year,
in date order) and writes it all with bulk inserts.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.utils import timezone

from patrimoine.assets.models import Equipment, Space
from patrimoine.contractors.models import Contractor
from patrimoine.core.models import ReferenceSequence
from patrimoine.costs.models import ExternalCost, MaterialLine, TimeEntry
from patrimoine.demo.registry import Place
from patrimoine.intake.models import WorkRequest, fold
from patrimoine.organisations.models import Organisation, Team, TeamMember, Trade
from patrimoine.stock.models import Item
from patrimoine.workorders.models import (
    ChecklistItem,
    InterventionReport,
    WorkOrder,
    WorkOrderTechnician,
    WorkOrderTransition,
)

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
Status = WorkOrder.Status


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, ROUND_HALF_UP)


@dataclass
class RequestSpec:
    created_at: datetime
    description: str
    channel: str = WorkRequest.Channel.INTERNAL
    urgency: str = "normale"
    requested_by: object = None
    requester_name: str = ""
    requester_phone: str = ""
    requester_email: str = ""
    suggested_trade: Trade | None = None
    status: str = WorkRequest.Status.ACCEPTED
    triaged_by: object = None
    triaged_at: datetime | None = None
    rejection_reason: str = ""
    duplicate_of: WorkRequest | None = None
    location_text: str = ""  # where, when the place is not one of ours


@dataclass
class OrderSpec:
    organisation: Organisation
    place: Place
    trade: Trade
    title: str
    created_at: datetime
    created_by: object
    description: str = ""
    kind: str = WorkOrder.Kind.CORRECTIVE
    priority: str = WorkOrder.Priority.NORMAL
    equipment: Equipment | None = None
    space: Space | None = None
    due_date: date | None = None
    team: Team | None = None
    technicians: list[TeamMember] = field(default_factory=list)
    contractor: Contractor | None = None
    contractor_user: object = None  # the contractor's account, who reports for the company
    planner: object = None
    planned_at: datetime | None = None
    planned_start: datetime | None = None
    planned_end: datetime | None = None
    started_at: datetime | None = None
    suspensions: list[tuple[datetime, str, datetime | None]] = field(default_factory=list)
    completed_at: datetime | None = None
    validated_at: datetime | None = None
    validator: object = None
    cancelled_at: datetime | None = None
    cancel_reason: str = ""
    time: list[tuple[TeamMember, date, Decimal, Decimal]] = field(default_factory=list)  # member, day, hours, rate
    materials: list[tuple[Item, Decimal]] = field(default_factory=list)
    externals: list[tuple[Contractor | None, str, Decimal, str]] = field(default_factory=list)
    notes: str = ""
    signed_by_name: str = ""
    checklist: list[str] = field(default_factory=list)
    request: RequestSpec | None = None


class Ledger:
    """Rows waiting to be written, in memory."""

    def __init__(self) -> None:
        # SQLite stores decimals as binary floats: its check « total = labour + material + external »
        # fails for some exact sums (0.10 + 0.20). There, an order whose sum would trip it gets a
        # quarter of an hour more (or one more unit) until it does not; amounts stay hours × rate.
        self.float_safe = connection.vendor == "sqlite"
        self.orders: list[WorkOrder] = []
        self.requests: list[WorkRequest] = []
        self.rows: dict[type, list] = defaultdict(list)

    # ---- building

    def add_order(self, spec: OrderSpec) -> WorkOrder:
        if self.float_safe:
            _make_float_safe(spec)
        org = spec.organisation
        place = spec.place
        events = self._events(spec)
        status = events[-1][1]
        order = WorkOrder(
            organisation=org,
            title=spec.title[:200],
            description=spec.description,
            kind=spec.kind,
            trade=spec.trade,
            priority=spec.priority,
            status=status,
            suspension_reason=spec.suspensions[-1][1] if status == Status.SUSPENDED else "",
            site=place.site,
            building=place.building,
            space=spec.space,
            equipment=spec.equipment,
            location_text="" if place.building else place.site.address,
            due_date=spec.due_date,
            planned_start=spec.planned_start,
            planned_end=spec.planned_end,
            team=spec.team,
            contractor=spec.contractor,
            created_by=spec.created_by,
            started_at=spec.started_at,
            completed_at=spec.completed_at,
            validated_at=spec.validated_at,
            validated_by=spec.validator if spec.validated_at else None,
            created_at=spec.created_at,
            updated_at=events[-1][2],
            version=len(events),
        )
        self.orders.append(order)
        for from_status, to_status, at, actor, reason in events:
            self.rows[WorkOrderTransition].append(
                WorkOrderTransition(
                    organisation=org,
                    work_order=order,
                    from_status=from_status,
                    to_status=to_status,
                    actor=actor,
                    reason=reason[:300],
                    at=at,
                    created_at=at,
                    updated_at=at,
                )
            )
        for member in spec.technicians:
            self.rows[WorkOrderTechnician].append(
                WorkOrderTechnician(workorder_id=order.pk, user_id=member.user_id, organisation=org)
            )

        line_at = spec.completed_at or spec.started_at or spec.created_at
        labour = material = external = ZERO
        for member, day, hours, rate in spec.time:
            amount = cents(hours * rate)
            labour += amount
            self.rows[TimeEntry].append(
                TimeEntry(
                    organisation=org,
                    work_order=order,
                    technician_id=member.user_id,
                    created_by_id=member.user_id,
                    date=day,
                    hours=hours,
                    hourly_rate=rate,
                    amount=amount,
                    created_at=line_at,
                    updated_at=line_at,
                )
            )
        reporter = self._reporter(spec)
        for item, quantity in spec.materials:
            amount = cents(quantity * item.unit_cost)
            material += amount
            self.rows[MaterialLine].append(
                MaterialLine(
                    organisation=org,
                    work_order=order,
                    item=item,
                    label=item.label,
                    quantity=quantity,
                    unit=item.unit,
                    unit_cost=item.unit_cost,
                    amount=amount,
                    created_by=reporter,
                    created_at=line_at,
                    updated_at=line_at,
                )
            )
        for contractor, description, amount, invoice in spec.externals:
            external += cents(amount)
            self.rows[ExternalCost].append(
                ExternalCost(
                    organisation=org,
                    work_order=order,
                    contractor=contractor,
                    description=description[:200],
                    invoice_reference=invoice,
                    amount=cents(amount),
                    created_by=spec.planner or spec.created_by,
                    created_at=line_at,
                    updated_at=line_at,
                )
            )
        order.labour_cost, order.material_cost, order.external_cost = labour, material, external
        order.total_cost = labour + material + external

        if spec.completed_at is not None:
            self.rows[InterventionReport].append(
                InterventionReport(
                    organisation=org,
                    work_order=order,
                    notes=spec.notes,
                    signed_by_name=spec.signed_by_name,
                    submitted_by=reporter,
                    submitted_at=spec.completed_at,
                    created_at=spec.completed_at,
                    updated_at=spec.completed_at,
                )
            )
        for position, label in enumerate(spec.checklist):
            done = spec.completed_at is not None
            self.rows[ChecklistItem].append(
                ChecklistItem(
                    organisation=org,
                    work_order=order,
                    label=label,
                    position=position,
                    done=done,
                    done_by=reporter if done else None,
                    done_at=spec.completed_at if done else None,
                    created_at=spec.created_at,
                    updated_at=spec.completed_at or spec.created_at,
                )
            )
        if spec.request is not None:
            self.add_request(spec.request, org, place, spec.equipment, spec.space, spec.trade, order)
        return order

    def add_request(
        self, spec: RequestSpec, org, place: Place | None, equipment=None, space=None, trade=None, order=None
    ) -> WorkRequest:
        site = place.site if place else None
        building = place.building if place else None
        outdoor = site is not None and building is None
        request = WorkRequest(
            organisation=org,
            status=spec.status,
            channel=spec.channel,
            requested_by=spec.requested_by,
            requester_name=spec.requester_name,
            requester_email=spec.requester_email,
            requester_phone=spec.requester_phone,
            site=site,
            building=building,
            space=space,
            equipment=equipment,
            location_text=spec.location_text or (site.address if outdoor else ""),
            latitude=site.latitude if outdoor else None,
            longitude=site.longitude if outdoor else None,
            description=spec.description,
            urgency=spec.urgency,
            suggested_trade=spec.suggested_trade,
            trade=trade if spec.status == WorkRequest.Status.ACCEPTED else None,
            triaged_by=spec.triaged_by,
            triaged_at=spec.triaged_at,
            rejection_reason=spec.rejection_reason,
            duplicate_of=spec.duplicate_of,
            work_order=order,
            created_at=spec.created_at,
            updated_at=spec.triaged_at or spec.created_at,
        )
        self.requests.append(request)
        return request

    def _reporter(self, spec: OrderSpec):
        if spec.contractor is not None:
            return spec.contractor_user
        return spec.technicians[0].user if spec.technicians else None

    def _events(self, spec: OrderSpec) -> list[tuple]:
        """The status changes of the order, in time order: (from, to, at, actor, reason)."""
        worker = self._reporter(spec)
        events = [("", Status.TO_PLAN, spec.created_at, spec.created_by, "Création")]

        def move(to, at, actor, reason=""):
            events.append((events[-1][1], to, at, actor, reason))

        if spec.planned_at is not None:
            move(Status.PLANNED, spec.planned_at, spec.planner)
        if spec.started_at is not None:
            move(Status.IN_PROGRESS, spec.started_at, worker)
        for suspended_at, reason, resumed_at in spec.suspensions:
            move(Status.SUSPENDED, suspended_at, worker, str(WorkOrder.SuspensionReason(reason).label))
            if resumed_at is not None:
                move(Status.IN_PROGRESS, resumed_at, worker)
        if spec.completed_at is not None:
            move(Status.DONE, spec.completed_at, worker)
        if spec.validated_at is not None:
            move(Status.VALIDATED, spec.validated_at, spec.validator)
        if spec.cancelled_at is not None:
            move(Status.CANCELLED, spec.cancelled_at, spec.planner or spec.created_by, spec.cancel_reason)
        times = [e[2] for e in events]
        if times != sorted(times):
            raise ValueError(f"Events out of order for « {spec.title} »: {times}")
        return events

    # ---- writing

    def save(self) -> None:
        self._number(self.orders, "BT")
        self._number(self.requests, "DI")
        for request in self.requests:  # what WorkRequest.save() would fill
            request.search_text = fold(
                " ".join(
                    filter(
                        None, (request.reference, request.description, request.location_text, request.requester_name)
                    )
                )
            )
        WorkOrder.objects.bulk_create(self.orders, batch_size=500)
        WorkRequest.objects.bulk_create(self.requests, batch_size=500)
        for model, rows in self.rows.items():
            model._base_manager.bulk_create(rows, batch_size=500)

    def _number(self, rows, prefix: str) -> None:
        """Number the rows per organisation and year, in date order, and move the counters past them."""
        groups = defaultdict(list)
        for row in rows:
            groups[(row.organisation_id, timezone.localtime(row.created_at).year)].append(row)
        for (org_id, year), members in groups.items():
            members.sort(key=lambda r: r.created_at)
            sequence, _created = ReferenceSequence.objects.get_or_create(
                organisation_id=org_id, prefix=prefix, year=year
            )
            start = sequence.last_value
            for n, row in enumerate(members, start=start + 1):
                row.reference = f"{prefix}-{year}-{n:06d}"
            ReferenceSequence.objects.filter(pk=sequence.pk).update(last_value=start + len(members))


def totals(spec: OrderSpec) -> tuple[Decimal, Decimal, Decimal]:
    labour = sum((cents(hours * rate) for _m, _d, hours, rate in spec.time), ZERO)
    material = sum((cents(quantity * item.unit_cost) for item, quantity in spec.materials), ZERO)
    external = sum((cents(amount) for _c, _d, amount, _i in spec.externals), ZERO)
    return labour, material, external


def _float_safe(spec: OrderSpec) -> bool:
    labour, material, external = totals(spec)
    return float(labour) + float(material) + float(external) == float(labour + material + external)


def _make_float_safe(spec: OrderSpec) -> None:
    for _attempt in range(40):
        if _float_safe(spec):
            return
        if spec.time:
            member, day, hours, rate = spec.time[-1]
            spec.time[-1] = (member, day, hours + Decimal("0.25"), rate)
        elif spec.materials:
            item, quantity = spec.materials[-1]
            spec.materials[-1] = (item, quantity + 1)
        else:
            contractor, description, amount, invoice = spec.externals[-1]
            spec.externals[-1] = (contractor, description, amount + Decimal("1"), invoice)
    raise ValueError(f"No float-safe total for « {spec.title} »")
