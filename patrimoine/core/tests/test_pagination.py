"""Keyset pagination: walking a list forward and back shows every row once, in the list's order,
whatever the sort (mixed directions, empty due dates, equal dates), and a bad cursor never errs."""

import random
from datetime import date, timedelta

import pytest
from django.db.models import F
from django.utils import timezone
from django_scopes import scopes_disabled

from patrimoine.core import pagination
from patrimoine.core.pagination import InvalidCursor, KeysetPaginator
from patrimoine.workorders.filters import SORTS
from patrimoine.workorders.models import WorkOrder

pytestmark = pytest.mark.django_db


@pytest.fixture
def orders(f):
    """23 orders of one commune with clashing creation times, half of them without a due date."""
    org = f.organisation("Nesmy")
    rng = random.Random(7)
    start = timezone.now() - timedelta(days=30)
    with scopes_disabled():
        for i in range(23):
            wo = f.work_order(
                org,
                title=f"Bon {i}",
                priority=rng.choice(WorkOrder.Priority.values),
                due_date=None if i % 2 else date(2026, 3, 1) + timedelta(days=rng.randint(0, 3)),
            )
            WorkOrder.objects.filter(pk=wo.pk).update(created_at=start + timedelta(hours=rng.randint(0, 4)))
        yield WorkOrder.objects.filter(organisation=org)


def _walk(paginator):
    seen, cursor, pages = [], None, 0
    while True:
        page = paginator.page(cursor)
        pages += 1
        seen.extend(page.object_list)
        cursor = page.next_cursor
        if cursor is None or pages > 50:
            return seen, pages


@pytest.mark.parametrize("sort", list(SORTS))
def test_walking_forward_then_back_shows_every_row_once_in_order(orders, sort):
    with scopes_disabled():
        ordering = SORTS[sort][1]
        paginator = KeysetPaginator(orders, ordering, 5, name=sort)
        expected = list(paginator.ordered())
        forward, pages = _walk(paginator)
        assert [wo.pk for wo in forward] == [wo.pk for wo in expected] and pages == 5
        last = paginator.page()
        for _ in range(4):
            last = paginator.page(last.next_cursor)
        assert [wo.pk for wo in last] == [wo.pk for wo in expected[20:]]
        assert not last.has_next() and last.has_previous()
        back = paginator.page(last.previous_cursor)
        assert [wo.pk for wo in back] == [wo.pk for wo in expected[15:20]]
        assert back.has_next() and back.has_previous()


def test_nulls_come_last_on_both_databases(orders):
    with scopes_disabled():
        paginator = KeysetPaginator(orders, [F("due_date").desc(nulls_last=True)], 30)
        due = [wo.due_date for wo in paginator.page()]
        assert due[-1] is None and due[0] is not None and due.index(None) == 12


def test_previous_from_the_second_page_gives_the_whole_first_page(orders):
    with scopes_disabled():
        paginator = KeysetPaginator(orders, ["-created_at"], 5)
        first = paginator.page()
        second = paginator.page(first.next_cursor)
        again = paginator.page(second.previous_cursor)
        assert [wo.pk for wo in again] == [wo.pk for wo in first] and not again.has_previous()


def test_a_forged_cursor_or_one_of_another_sort_gives_the_first_page(orders):
    with scopes_disabled():
        by_date = KeysetPaginator(orders, ["-created_at"], 5, name="-creation")
        by_due = KeysetPaginator(orders, SORTS["echeance"][1], 5, name="echeance")
        cursor = by_date.page().next_cursor
        first = [wo.pk for wo in by_due.page()]
        assert [wo.pk for wo in by_due.page(cursor)] == first
        assert [wo.pk for wo in by_due.page(cursor[:-3] + "xyz")] == first
        forged = pagination.sign({"l": by_due.list_key, "b": 0, "v": ["not a date", "x", "y"]})
        assert [wo.pk for wo in by_due.page(forged)] == first
        with pytest.raises(InvalidCursor):
            by_due.page(cursor, strict=True)


def test_the_count_stops_at_the_cap(orders, monkeypatch):
    monkeypatch.setattr(pagination, "COUNT_CAP", 20)
    with scopes_disabled():
        paginator = KeysetPaginator(orders, ["-created_at"], 5)
        assert paginator.capped_count == 21 and paginator.count_is_capped
        few = KeysetPaginator(orders.filter(due_date__isnull=False), ["-created_at"], 5)
        assert few.capped_count == 12 and not few.count_is_capped


def test_a_cursor_past_the_end_gives_an_empty_page_to_the_api_and_the_first_to_a_person(orders):
    with scopes_disabled():
        paginator = KeysetPaginator(orders, ["-created_at"], 30)
        last = min(orders, key=lambda wo: (wo.created_at, wo.pk))
        cursor = paginator.cursor_for(last, backwards=False)
        assert paginator.page(cursor, strict=True).object_list == []
        assert len(paginator.page(cursor).object_list) == 23
