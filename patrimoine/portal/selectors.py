"""Reads of the portal: places and nearby open reports for the public form, the tracking page, the
counter's receipts and « à rappeler » list. Public reads run inside the one-organisation scope the
middleware opened; agent reads narrow by `Access`."""

import math
import re
from decimal import Decimal

from django.db.models import F, Q, QuerySet
from django.http import Http404
from django_scopes import scopes_disabled

from patrimoine.assets.models import Building
from patrimoine.intake.models import WorkRequest, fold
from patrimoine.organisations.access import Access
from patrimoine.portal.models import CitizenMessage, PublicReply, PublicReport
from patrimoine.workorders.models import WorkOrder

NEARBY_METRES = 150
NEARBY_LIMIT = 5
PLACES_LIMIT = 8
# Words of an address that say nothing about where it is.
_STOPWORDS = frozenset(
    "rue des de du la le les l d a au aux et avenue av bd boulevard place pl chemin allee impasse route "
    "square quai cours face devant pres vers".split()
)
CLOSED_ORDER_STATUSES = (WorkOrder.Status.DONE, WorkOrder.Status.VALIDATED, WorkOrder.Status.CANCELLED)


def words_of(text: str) -> list[str]:
    """The telling words of an address: « 12 rue des Lilas » → ["lilas"]."""
    return [w for w in re.split(r"[^a-z0-9]+", fold(text)) if len(w) > 1 and not w.isdigit() and w not in _STOPWORDS]


def places_search(organisation, query: str) -> list[Building]:
    """The organisation's buildings whose name or address holds every telling word of `query`."""
    words = words_of(query)
    if not words:
        return []
    buildings = Building.objects.filter(organisation=organisation)
    for word in words:
        buildings = buildings.filter(search_text__contains=word)
    return list(buildings.order_by("name")[:PLACES_LIMIT])


def distance_m(lat1, lon1, lat2, lon2) -> float:
    """Great-circle distance in metres (haversine): ample for « is it the same lamp post »."""
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp, dl = p2 - p1, math.radians(float(lon2) - float(lon1))
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6_371_000 * 2 * math.asin(math.sqrt(a))


def open_reports(organisation) -> QuerySet[PublicReport]:
    """Public reports whose request is still open (not rejected, merged, done or cancelled)."""
    return (
        PublicReport.objects.filter(
            organisation=organisation,
            work_request__status__in=(WorkRequest.Status.NEW, WorkRequest.Status.ACCEPTED),
        )
        .exclude(work_request__work_order__status__in=CLOSED_ORDER_STATUSES)
        .select_related("work_request__building", "work_request__work_order")
    )


def nearby_open_reports(
    organisation,
    *,
    category: str = "",
    query: str = "",
    building: Building | None = None,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
) -> list[PublicReport]:
    """Open reports at the same building, within NEARBY_METRES of the point, or in the same street."""
    words = words_of(query)
    if building is None and latitude is None and not words:
        return []
    found = []
    for report in open_reports(organisation).order_by("-created_at")[:300]:
        request = report.work_request
        if building is not None and request.building_id == building.pk:
            found.append(report)
        elif latitude is not None and longitude is not None and request.latitude is not None:
            if distance_m(latitude, longitude, request.latitude, request.longitude) <= NEARBY_METRES:
                found.append(report)
        elif words:
            place = fold(" ".join(filter(None, (request.location_text, request.building and request.building.name))))
            if all(word in place for word in words):
                found.append(report)
    # The same kind of problem first.
    found.sort(key=lambda r: r.category != category)
    return found[:NEARBY_LIMIT]


def report_by_token(token: str) -> PublicReport:
    report = (
        PublicReport.objects.filter(token=token)
        .select_related(
            "organisation",
            "work_request__building",
            "work_request__duplicate_of__work_order__team",
            "work_request__work_order__team",
            "work_request__work_order__contractor",
        )
        .first()
    )
    if report is None:
        raise Http404
    return report


def public_replies(report: PublicReport) -> QuerySet[PublicReply]:
    return PublicReply.objects.filter(report=report).order_by("created_at")


def place_label(work_request: WorkRequest) -> str:
    """Where the problem is, as the public may read it (a building's name or the address typed)."""
    if work_request.building_id:
        return work_request.building.name
    return work_request.location_text


def reports_for_counter(access: Access) -> QuerySet[PublicReport]:
    """The reports an agent of the counter may see: those of the organisations he acts for."""
    if not access.has("portal.counter"):
        return PublicReport.objects.none()
    return PublicReport.objects.filter(organisation_id__in=access.write_org_ids).select_related(
        "work_request__building", "work_request__work_order", "organisation"
    )


def get_report_for(access: Access, pk) -> PublicReport:
    report = reports_for_counter(access).filter(pk=pk).first()
    if report is None:
        raise Http404
    return report


def to_call_back(access: Access) -> QuerySet[PublicReport]:
    """People who prefer a phone call and have news they have not been called about yet."""
    return (
        reports_for_counter(access)
        .filter(preferred_channel=PublicReport.Channel.PHONE, contact_consent=True)
        .filter(Q(called_back_at__isnull=True) | Q(last_news_at__gt=F("called_back_at")))
        .order_by("created_at")
    )


def citizen_reports(identity) -> QuerySet[PublicReport]:
    """« Mes signalements »: the reports a signed-in citizen filed, in every organisation of the instance.

    The one portal read outside the middleware's one-organisation scope: the row-level key is the
    citizen's own identity, so nobody else's report can come back (tested with two citizens)."""
    with scopes_disabled():
        return (
            PublicReport.objects.filter(citizen=identity, organisation__is_active=True)
            .select_related("organisation", "work_request__building", "work_request__work_order")
            .order_by("-created_at")
        )


def citizen_messages(report: PublicReport) -> QuerySet[CitizenMessage]:
    """What was sent to the person about this report (receipts by e-mail or SMS), oldest first."""
    return CitizenMessage.objects.filter(report=report).select_related("sent_by").order_by("created_at")
