"""Calendars (month grid) per team and building, their iCalendar feeds (secret token, no session),
and the preferences page."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled
from icalendar import Calendar

from patrimoine.maintenance.models import NotificationPreference, Occurrence
from patrimoine.maintenance.services import preference_of

from .world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(f, catalogue):
    return build_world(f)


def _month(day):
    return day.strftime("%Y-%m")


def test_building_calendar_shows_due_dates_of_the_month(world, login):
    with scopes_disabled():
        late = Occurrence.objects.get(plan=world.plans["late"], due_on__lt=timezone.localdate())
    response = login(world.users["gestionnaire"]).get(
        reverse("maintenance:building-calendar", args=[world.gym.pk]), {"mois": _month(late.due_on)}
    )
    assert response.status_code == 200
    entries = [e for e in response.context["entries"] if e.uid == f"echeance-{late.pk}@patrimoine"]
    assert entries and entries[0].late
    weeks = response.context["grid"].weeks
    assert all(len(week) == 7 for week in weeks) and weeks[0][0][0].weekday() == 0


def test_team_calendar_shows_planned_orders_with_their_slot(world, login, f):
    start = timezone.localtime().replace(hour=8, minute=0, second=0, microsecond=0) + timedelta(days=3)
    order = f.work_order(
        world.org,
        title="Remplacer la cellule",
        building_obj=world.gym,
        team_obj=world.team,
        status="planifie",
        planned_start=start,
        planned_end=start + timedelta(hours=2),
    )
    response = login(world.users["chef"]).get(
        reverse("maintenance:team-calendar", args=[world.team.pk]), {"mois": _month(start.date())}
    )
    assert response.status_code == 200
    (entry,) = [e for e in response.context["entries"] if e.uid == f"bt-{order.pk}@patrimoine"]
    assert entry.start == start and "Remplacer la cellule" in response.content.decode()


def test_another_communes_team_calendar_is_not_found(world, login, f):
    team = f.team(world.other, "Équipe Zyxwvu")
    assert (
        login(world.users["gestionnaire"]).get(reverse("maintenance:team-calendar", args=[team.pk])).status_code == 404
    )


def test_ical_feed_works_without_a_session_with_the_secret_token(world, client):
    with scopes_disabled():
        token = preference_of(world.users["gestionnaire"]).calendar_token
    response = client.get(reverse("maintenance:ical-building", kwargs={"token": token, "building_pk": world.gym.pk}))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = [c for c in calendar.walk("VEVENT")]
    assert events and all(str(e["UID"]).endswith("@patrimoine") for e in events)
    assert any("Vérification annuelle des extincteurs" in str(e["SUMMARY"]) for e in events)
    assert "Zyxwvu" not in response.content.decode()


def test_ical_timed_events_carry_the_paris_time_zone(world, client, f):
    start = timezone.localtime().replace(hour=8, minute=0, second=0, microsecond=0) + timedelta(days=3)
    f.work_order(
        world.org,
        title="Relamping",
        building_obj=world.gym,
        team_obj=world.team,
        status="planifie",
        planned_start=start,
    )
    with scopes_disabled():
        token = preference_of(world.users["chef"]).calendar_token
    body = client.get(
        reverse("maintenance:ical-team", kwargs={"token": token, "team_pk": world.team.pk})
    ).content.decode()
    assert "BEGIN:VTIMEZONE" in body and "TZID=Europe/Paris" in body and "Relamping" in body


def test_a_wrong_token_or_another_communes_building_gives_nothing(world, client):
    url = reverse("maintenance:ical-building", kwargs={"token": "pas-le-bon", "building_pk": world.gym.pk})
    assert client.get(url).status_code == 404
    with scopes_disabled():
        token = preference_of(world.users["outsider"]).calendar_token
    url = reverse("maintenance:ical-building", kwargs={"token": token, "building_pk": world.gym.pk})
    assert client.get(url).status_code == 404


def test_a_requester_token_gives_nothing(world, client):
    with scopes_disabled():
        token = preference_of(world.users["demandeur"]).calendar_token
    url = reverse("maintenance:ical-building", kwargs={"token": token, "building_pk": world.gym.pk})
    assert client.get(url).status_code == 404


def test_resetting_the_token_kills_the_old_address(world, login, client):
    user = world.users["gestionnaire"]
    with scopes_disabled():
        old = preference_of(user).calendar_token
    login(user).post(reverse("maintenance:preferences"), {"reset_token": "1"})
    with scopes_disabled():
        new = NotificationPreference.objects.get(user=user).calendar_token
    assert new != old
    client.logout()
    assert (
        client.get(reverse("maintenance:ical-building", kwargs={"token": old, "building_pk": world.gym.pk})).status_code
        == 404
    )
    assert (
        client.get(reverse("maintenance:ical-building", kwargs={"token": new, "building_pk": world.gym.pk})).status_code
        == 200
    )


def test_preferences_are_saved(world, login):
    user = world.users["gestionnaire"]
    response = login(user).post(reverse("maintenance:preferences"), {"weekly_digest": "on"})
    assert response.status_code == 302
    with scopes_disabled():
        preference = NotificationPreference.objects.get(user=user)
    assert (preference.overdue_alerts, preference.weekly_digest) == (False, True)
