"""Calendars of planned work (month grid, server-rendered) per team and per building, and their
iCalendar feeds. A calendar app fetches a feed without a session: the URL carries the user's secret
token; the feed shows what that user may see, nothing more."""

from datetime import timedelta

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET
from django_scopes import scope, scopes_disabled

from patrimoine.assets.models import Building
from patrimoine.assets.selectors import buildings_visible_to
from patrimoine.core.ratelimit import ratelimit
from patrimoine.organisations.access import access_for_user
from patrimoine.organisations.models import Team

from .. import selectors
from ..ical import FEED_DAYS_AFTER, FEED_DAYS_BEFORE, calendar_feed
from ..models import NotificationPreference
from ..services import preference_of
from .common import month_param, require_view


@require_GET
def calendar_index(request):
    access = request.access
    require_view(access)
    teams = selectors.calendar_teams(access)
    buildings = (
        buildings_visible_to(access)
        .filter(organisation_id=access.organisation.pk)
        .exclude(status="archive")
        .order_by("name")
    )
    return render(request, "maintenance/calendar_index.html", {"teams": teams, "buildings": buildings})


def _month_page(request, *, team=None, building=None):
    access = request.access
    today = timezone.localdate()
    month = month_param(request.GET.get("mois"), today)
    start, end = selectors.grid_bounds(month)
    entries = selectors.calendar_entries(access, start=start, end=end, team=team, building=building)
    token = preference_of(request.user).calendar_token
    if team is not None:
        feed = reverse("maintenance:ical-team", kwargs={"token": token, "team_pk": team.pk})
    else:
        feed = reverse("maintenance:ical-building", kwargs={"token": token, "building_pk": building.pk})
    context = {
        "team": team,
        "building": building,
        "grid": selectors.month_grid(month, entries),
        "entries": [e for e in entries if e.day.month == month.month],
        "today": today,
        "feed_url": request.build_absolute_uri(feed),
    }
    return render(request, "maintenance/calendar.html", context)


@require_GET
def team_calendar(request, team_pk):
    require_view(request.access)
    team = selectors.get_team_for_calendar(request.access, team_pk)
    return _month_page(request, team=team)


@require_GET
def building_calendar(request, building_pk):
    building = selectors.get_building_for_maintenance(request.access, building_pk)
    return _month_page(request, building=building)


# --- iCalendar feeds ---------------------------------------------------------------------------


def _feed_access(token: str, organisation_id):
    with scopes_disabled():
        preference = NotificationPreference.objects.select_related("user").filter(calendar_token=token).first()
    if preference is None or not preference.user.is_active:
        raise Http404
    access = access_for_user(preference.user, organisation_id)
    if not access.has("maintenance.view"):
        raise Http404
    return access


def _feed_response(access, *, name: str, team=None, building=None, request) -> HttpResponse:
    today = timezone.localdate()
    entries = selectors.calendar_entries(
        access,
        start=today - timedelta(days=FEED_DAYS_BEFORE),
        end=today + timedelta(days=FEED_DAYS_AFTER),
        team=team,
        building=building,
    )
    body = calendar_feed(name, entries, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="patrimoine.ics"'
    response["Cache-Control"] = "private, max-age=900"
    return response


@login_not_required
@ratelimit(rate="60/m", group="ical")  # the token is the only secret: slow down guessing
@require_GET
def ical_team(request, token, team_pk):
    with scopes_disabled():
        owner = Team.objects.filter(pk=team_pk).values_list("organisation_id", flat=True).first()
    access = _feed_access(token, owner)
    with scope(organisation=sorted(access.read_org_ids)):
        team = selectors.get_team_for_calendar(access, team_pk)
        return _feed_response(access, name=f"Patrimoine — {team.name}", team=team, request=request)


@login_not_required
@ratelimit(rate="60/m", group="ical")
@require_GET
def ical_building(request, token, building_pk):
    with scopes_disabled():
        owner = Building.objects.filter(pk=building_pk).values_list("organisation_id", flat=True).first()
    access = _feed_access(token, owner)
    with scope(organisation=sorted(access.read_org_ids)):
        building = selectors.get_building_for_maintenance(access, building_pk)
        return _feed_response(access, name=f"Patrimoine — {building.name}", building=building, request=request)
