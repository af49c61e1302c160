"""iCalendar (RFC 5545) feeds of planned work, built with the icalendar library.

Planned orders are timed events (Europe/Paris, with its VTIMEZONE); due dates not yet given a slot
are all-day events. Each event's UID is stable (the order's or the occurrence's id), so a calendar
app updates an event instead of duplicating it when the feed is fetched again.
"""

from datetime import timedelta

from django.utils import timezone
from icalendar import Calendar, Event

FEED_DAYS_BEFORE = 31
FEED_DAYS_AFTER = 366


def calendar_feed(name: str, entries, *, base_url: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Patrimoine//Maintenance//FR")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/Paris")
    stamp = timezone.now()
    base = base_url.rstrip("/")
    for entry in entries:
        event = Event()
        event.add("uid", entry.uid)
        event.add("dtstamp", stamp)
        event.add("summary", entry.title)
        if entry.start is not None:
            event.add("dtstart", timezone.localtime(entry.start))
            event.add("dtend", timezone.localtime(entry.end))
        else:
            event.add("dtstart", entry.day)
            event.add("dtend", entry.day + timedelta(days=1))
            event.add("transp", "TRANSPARENT")
        if entry.place:
            event.add("location", entry.place)
        description = "\n".join(part for part in (entry.status, entry.description) if part)
        if description:
            event.add("description", description)
        event.add("url", base + entry.url)
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
