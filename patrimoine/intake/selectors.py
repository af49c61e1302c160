"""Reads of work requests, always through the user's access."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from patrimoine.assets.models import AssetStatus, Building, Equipment, Space
from patrimoine.core.pagination import capped_counts
from patrimoine.intake.models import RequesterBuilding, Urgency, WorkRequest
from patrimoine.organisations.access import Access
from patrimoine.organisations.models import Team, TeamMember
from patrimoine.organisations.permissions import WORK_REQUEST_OWNERSHIP, Owns
from patrimoine.workorders.models import WorkOrder

PARIS = ZoneInfo("Europe/Paris")
Status = WorkRequest.Status

# What a row of a list or a progress line needs, in one query.
LIST_RELATED = (
    "organisation",
    "building",
    "equipment",
    "suggested_trade",
    "trade",
    "requested_by",
    "work_order__team",
    "work_order__contractor",
    "work_order__report",
    "duplicate_of__work_order__team",
    "duplicate_of__work_order__contractor",
    "duplicate_of__work_order__report",
)


def _request_q(access: Access, relation: str, org_ids) -> Q:
    if relation == Owns.SCOPE:
        return Q(organisation_id__in=org_ids)
    if relation == Owns.FILED:
        return Q(requested_by_id=access.user.pk)
    raise ValueError(f"Unknown ownership relation {relation!r} for requests")


def work_requests_owned(access: Access, mode: str) -> QuerySet[WorkRequest]:
    """The requests to which `access` stands in a relation WORK_REQUEST_OWNERSHIP grants its role, to read
    (`mode="read"`, the read scope) or to act on (`"act"`: triage, public reply; the write scope)."""
    relations = WORK_REQUEST_OWNERSHIP.get(access.role, {}).get(mode, frozenset())
    if access.user is None or not relations:
        return WorkRequest.objects.none()
    org_ids = access.read_org_ids if mode == "read" else access.write_org_ids
    condition = Q(pk__in=())
    for relation in sorted(relations):
        condition |= _request_q(access, relation, org_ids)
    return WorkRequest.objects.filter(condition & Q(organisation_id__in=org_ids))


def work_requests_visible_to(access: Access) -> QuerySet[WorkRequest]:
    """The requests `access` may read (organisations/permissions.py, WORK_REQUEST_OWNERSHIP): roles with
    `intake.view_all` every request of the organisations in scope (a shared team's lead the communes it
    serves); anyone else who may file requests only their own."""
    if not (access.has("intake.view_all") or access.has("intake.create")):
        return WorkRequest.objects.none()
    return work_requests_owned(access, "read")


def work_request_may(access: Access, action: str, work_request: WorkRequest) -> bool:
    """May `access` do `action` (intake.triage, portal.reply) on this request: the verb in the write scope,
    then a relation WORK_REQUEST_OWNERSHIP grants (checked in memory: list rows ask it without a query)."""
    if not access.can(action, work_request):
        return False
    relations = WORK_REQUEST_OWNERSHIP.get(access.role, {}).get("act", frozenset())
    holds = {
        Owns.SCOPE: work_request.organisation_id in access.write_org_ids,
        Owns.FILED: access.user is not None and work_request.requested_by_id == access.user.pk,
    }
    return any(holds.get(relation, False) for relation in relations)


def orgs_with_all_requests_visible(access: Access) -> frozenset[int]:
    """The organisations whose every request `access` reads (per `work_requests_visible_to`): those in
    scope when the role's row of WORK_REQUEST_OWNERSHIP reads by SCOPE (FILED takes part of one)."""
    if access.user is None or not (access.has("intake.view_all") or access.has("intake.create")):
        return frozenset()
    relations = WORK_REQUEST_OWNERSHIP.get(access.role, {}).get("read", frozenset())
    return frozenset(access.read_org_ids) if Owns.SCOPE in relations else frozenset()


def get_work_request_for(access: Access, pk) -> WorkRequest:
    try:
        return (
            work_requests_visible_to(access)
            .select_related(
                "building",
                "site",
                "equipment",
                "space",
                "trade",
                "suggested_trade",
                "work_order",
                "requested_by",
                "duplicate_of",
                "organisation",
                "work_order__team",
                "work_order__contractor",
                "work_order__report",
                "duplicate_of__work_order__team",
                "duplicate_of__work_order__contractor",
                "duplicate_of__work_order__report",
                "triaged_by",
            )
            .get(pk=pk)
        )
    except (WorkRequest.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def urgency_rank():
    """0 for urgent, 1 normal, 2 can wait: sort the most pressing first."""
    return Case(
        When(urgency=Urgency.URGENT, then=Value(0)),
        When(urgency=Urgency.NORMAL, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )


def work_requests_for_list(access: Access) -> QuerySet[WorkRequest]:
    """The requests a list page shows, with what each row displays joined in (constant query count)."""
    return work_requests_visible_to(access).select_related(*LIST_RELATED).annotate(urgency_rank=urgency_rank())


def can_triage(access: Access, work_request: WorkRequest) -> bool:
    return work_request.status == Status.NEW and work_request_may(access, "intake.triage", work_request)


def triage_queue(access: Access) -> QuerySet[WorkRequest]:
    """New requests this user may triage: urgent first, then the oldest."""
    if not access.has("intake.triage"):
        return WorkRequest.objects.none()
    return (
        work_requests_for_list(access)
        .filter(status=Status.NEW, organisation_id__in=access.write_org_ids)
        .order_by("urgency_rank", "created_at")
    )


def triage_counts(access: Access) -> dict:
    """For a home page: how many requests wait for triage, how many are urgent, per organisation."""
    rows = (
        triage_queue(access)
        .order_by()
        .values("organisation_id", "organisation__name")
        .annotate(total=Count("pk"), urgent=Count("pk", filter=Q(urgency=Urgency.URGENT)))
        .order_by("organisation__name")
    )
    rows = list(rows)
    return {
        "total": sum(row["total"] for row in rows),
        "urgent": sum(row["urgent"] for row in rows),
        "by_organisation": [
            {"id": row["organisation_id"], "name": row["organisation__name"], "total": row["total"]} for row in rows
        ],
    }


def status_counts(requests: QuerySet[WorkRequest]) -> dict[str, int]:
    """Counts per status of a (filtered) queryset plus `all`, each counted up to COUNT_CAP + 1 (the
    tabs say « 1 000+ »), in one statement whose cost does not grow with years of requests."""
    requests = requests.order_by()
    tabs = {status.value: requests.filter(status=status) for status in Status}
    return capped_counts({"all": requests, **tabs})


# --- Places a requester reports for -------------------------------------------------------------


def buildings_for_request(access: Access) -> list[Building]:
    """Buildings the user may file a request for; each carries `is_mine` (her usual buildings first)."""
    if access.user is None:
        return []
    mine = RequesterBuilding.objects.filter(user_id=access.user.pk, building_id=OuterRef("pk"))
    return list(
        Building.objects.filter(organisation_id__in=access.write_org_ids)
        .exclude(status=AssetStatus.ARCHIVED)
        .select_related("organisation")
        .annotate(is_mine=Exists(mine))
        .order_by("-is_mine", "organisation__name", "name")
    )


def equipment_of_building(building: Building | None) -> list[Equipment]:
    if building is None:
        return []
    return list(
        Equipment.objects.filter(building=building)
        .exclude(status=AssetStatus.ARCHIVED)
        .select_related("space", "category")
        .order_by("name", "code")
    )


def spaces_of_building(building: Building | None) -> list[Space]:
    if building is None:
        return []
    spaces = Space.objects.filter(level__building=building).select_related("level")
    return list(spaces.order_by("level__position", "name"))


# --- Triage helpers -----------------------------------------------------------------------------


def merge_candidates(access: Access, work_request: WorkRequest, *, days: int = 90, limit: int = 40):
    """Recent open requests of the same organisation a duplicate may join: same building first, then
    those needing the same trade (two teachers reporting the same broken window), then the newest."""
    since = timezone.now() - timedelta(days=days)
    same_building = Q(building_id=work_request.building_id) if work_request.building_id else Q(pk__in=[])
    same_trade = (
        Q(suggested_trade_id=work_request.suggested_trade_id) | Q(trade_id=work_request.suggested_trade_id)
        if work_request.suggested_trade_id
        else Q(pk__in=[])
    )
    return (
        work_requests_visible_to(access)
        .filter(organisation_id=work_request.organisation_id, status__in=[Status.NEW, Status.ACCEPTED])
        .filter(Q(created_at__gte=since) | same_building)
        .filter(Q(work_order__isnull=True) | Q(work_order__status__in=WorkOrder.OPEN_STATUSES))
        .exclude(pk=work_request.pk)
        .select_related("building", "work_order")
        .annotate(
            same_building=Case(When(same_building, then=Value(0)), default=Value(1), output_field=IntegerField()),
            same_trade=Case(When(same_trade, then=Value(0)), default=Value(1), output_field=IntegerField()),
        )
        .order_by("same_building", "same_trade", "-created_at")[:limit]
    )


def teams_for_request(work_request: WorkRequest) -> QuerySet[Team]:
    """Teams that may take the request's work order: its organisation's own and the shared teams serving it.

    A shared team may belong to the EPCI, outside a commune planner's scope: the query is unscoped
    but limited to teams whose service covers the request's organisation (the rule `work_order_plan`
    applies)."""
    org_id = work_request.organisation_id
    with scopes_disabled():
        ids = list(
            Team.objects.filter(Q(organisation_id=org_id) | Q(served_organisations__id=org_id))
            .values_list("pk", flat=True)
            .distinct()
        )
        return (
            Team.objects.filter(pk__in=ids)
            .select_related("organisation")
            .prefetch_related(Prefetch("members", queryset=TeamMember.objects.select_related("user", "trade")))
            .order_by("name")
        )


# --- What the requester reads -------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    """One line the requester understands, e.g. « Planifiée — mardi 3 mars matin, équipe Régie bâtiment »."""

    state: str
    text: str
    tone: str = ""  # badge modifier: info, warn, ok, urgent
    note: str = ""  # the technician's note once done
    then: "Progress | None" = None  # for a merged request: the progress of the request it joined

    def __str__(self) -> str:
        return f"{self.text} — {self.then}" if self.then is not None else self.text


def paris_day(moment: datetime, *, with_half_day: bool = True) -> str:
    """« mardi 3 mars matin », « lundi 1er juin après-midi » (Europe/Paris; year only when not this one)."""
    local = timezone.localtime(moment, PARIS)
    day = "1er" if local.day == 1 else str(local.day)
    text = f"{dateformat.format(local, 'l')} {day} {dateformat.format(local, 'F')}"
    if local.year != timezone.localtime(timezone.now(), PARIS).year:
        text += f" {local.year}"
    if with_half_day:
        text += " " + (_("matin") if local.hour < 12 else _("après-midi"))
    return text


def _who(work_order: WorkOrder) -> str:
    if work_order.team_id is not None:
        return _("équipe %(team)s") % {"team": work_order.team.name}
    if work_order.contractor_id is not None:
        return _("entreprise %(name)s") % {"name": work_order.contractor.name}
    return ""


def _report_notes(work_order: WorkOrder) -> str:
    try:
        report = work_order.report
    except ObjectDoesNotExist:
        return ""
    return (report.notes or "").strip() if report is not None else ""


def work_order_progress(work_order: WorkOrder) -> Progress:
    """The requester's view of a work order's state."""
    WO = WorkOrder.Status
    status = work_order.status
    if status == WO.TO_PLAN:
        return Progress("accepted", _("Acceptée — intervention à planifier"), "info")
    if status == WO.PLANNED:
        parts = [paris_day(work_order.planned_start)] if work_order.planned_start else []
        if who := _who(work_order):
            parts.append(who)
        text = _("Planifiée — %(when)s") % {"when": ", ".join(parts)} if parts else _("Planifiée")
        return Progress("planned", text, "info")
    if status == WO.IN_PROGRESS:
        return Progress("in_progress", _("En cours"), "warn")
    if status == WO.SUSPENDED:
        reason = work_order.get_suspension_reason_display() if work_order.suspension_reason else ""
        text = _("Suspendue — %(reason)s") % {"reason": str(reason).lower()} if reason else _("Suspendue")
        return Progress("suspended", text, "warn")
    if status in (WO.DONE, WO.VALIDATED):
        text = _("Terminée")
        if work_order.completed_at:
            text = _("Terminée — %(when)s") % {"when": paris_day(work_order.completed_at, with_half_day=False)}
        return Progress("done", text, "ok", note=_report_notes(work_order))
    return Progress("cancelled", _("Annulée par le service technique"), "")


def request_progress(work_request: WorkRequest) -> Progress:
    """What the requester reads about her request, from its status and its work order's."""
    if work_request.status == Status.REJECTED:
        return Progress("rejected", _("Rejetée — %(reason)s") % {"reason": work_request.rejection_reason}, "warn")
    if work_request.status == Status.MERGED and work_request.duplicate_of_id:
        master = work_request.duplicate_of
        text = _("Fusionnée avec %(reference)s") % {"reference": master.reference}
        return Progress("merged", text, "info", then=request_progress(master))
    if work_request.work_order_id is not None:
        return work_order_progress(work_request.work_order)
    if work_request.status == Status.ACCEPTED:
        return Progress("accepted", _("Acceptée"), "info")
    return Progress("new", _("Reçue — en attente de tri"), "")
