"""Rollups of the dashboards, kept in step on write.

A service that changes work orders or requests wraps the change:

    with rollups.tracking(orders=[order.pk]):
        ...  # change the order (status, dates, trade, place…)

or, decorated with `@rollups.tracked`, names the rows once it knows them (before changing them):

    rollups.follow(requests=[current.pk])

and a service that creates one says so once it exists:

    rollups.track_new(orders=[order.pk])

`tracking` measures what the rows add to the rollups before (when they are named) and after (when
the outermost block ends), with the very `GROUP BY` the rebuild uses (`events.py`), and adds the
difference (`apply_delta`) in the same transaction: a rollback undoes both, concurrent writers add
without losing each other's counts, and a rollup never drifts from what a rebuild would give.
Nested blocks (a service calling another) share one measure. An order's requests are measured with
it (their time to repair ends with its completion).

Writes that load many rows at once (the dataset generator, imports, restoring an archive) run
`paused()` and call `rebuild(organisation_ids)` at the end, in their transaction; `manage.py
rollups_rebuild` does it for any organisation (a repair, should rows be changed behind the services).
"""

import functools
from collections.abc import Iterable
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction
from django.db.models import Q

from patrimoine.reporting.rollups.events import raw_orders, raw_requests
from patrimoine.reporting.rollups.store import Delta, apply_delta, contributions, rebuild

__all__ = ["Delta", "apply_delta", "follow", "paused", "rebuild", "track_new", "tracked", "tracking"]


class _Measure:
    """The rows one outermost `tracking` block follows, and what they added before it changed them."""

    def __init__(self):
        self.orders: Q | None = None
        self.requests: Q | None = None
        self.before = Delta()

    @staticmethod
    def _new(current: Q | None, wanted: Q | None) -> Q | None:
        if wanted is None:
            return None
        return wanted if current is None else wanted & ~current

    def follow(self, *, orders: Q | None = None, requests: Q | None = None, existing: bool = True) -> None:
        """Follow these rows from now on; measure what they add now unless they are new."""
        orders, requests = self._new(self.orders, orders), self._new(self.requests, requests)
        if existing and (orders is not None or requests is not None):
            self.before = self.before + contributions(
                orders=raw_orders().filter(orders) if orders is not None else None,
                requests=raw_requests().filter(requests) if requests is not None else None,
            )
        if orders is not None:
            self.orders = orders if self.orders is None else self.orders | orders
        if requests is not None:
            self.requests = requests if self.requests is None else self.requests | requests

    def finish(self) -> None:
        if self.orders is None and self.requests is None:
            return
        after = contributions(
            orders=raw_orders().filter(self.orders) if self.orders is not None else None,
            requests=raw_requests().filter(self.requests) if self.requests is not None else None,
        )
        apply_delta(after - self.before)


_current: ContextVar[_Measure | None] = ContextVar("rollups_measure", default=None)
_paused: ContextVar[bool] = ContextVar("rollups_paused", default=False)


@contextmanager
def paused():
    """Services inside do not keep the rollups in step: for bulk loads that `rebuild` after."""
    token = _paused.set(True)
    try:
        yield
    finally:
        _paused.reset(token)


def _ids(values: Iterable) -> list:
    return [value for value in values if value is not None]


def _follow(measure: _Measure, *, orders=(), requests=(), buildings=(), existing=True) -> None:
    orders, requests, buildings = _ids(orders), _ids(requests), _ids(buildings)
    order_q = Q(pk__in=orders) if orders else None
    request_q = Q(pk__in=requests) if requests else None
    if existing and orders:
        # An order's completion ends the time to repair of the requests it answers.
        request_q = Q(work_order_id__in=orders) | request_q if request_q is not None else Q(work_order_id__in=orders)
    if buildings:  # a change of the building's type (ERP) moves its orders and requests
        order_q = Q(building_id__in=buildings) | order_q if order_q is not None else Q(building_id__in=buildings)
        by_building = Q(building_id__in=buildings)
        request_q = by_building | request_q if request_q is not None else by_building
    measure.follow(orders=order_q, requests=request_q, existing=existing)


@contextmanager
def tracking(*, orders: Iterable = (), requests: Iterable = (), buildings: Iterable = ()):
    """Keep the rollups in step with what the block changes on these orders, requests (ids) or the
    orders and requests of these buildings. Name rows before changing them."""
    if _paused.get():
        yield None
        return
    outer = _current.get()
    measure = outer or _Measure()
    token = None if outer is not None else _current.set(measure)
    try:
        # No savepoint: should the block fail, its whole transaction fails (a caller that caught the
        # error could not write on), so no change is ever kept without its increments.
        with transaction.atomic(savepoint=False):
            _follow(measure, orders=orders, requests=requests, buildings=buildings)
            yield measure
            if outer is None:
                measure.finish()
    finally:
        if token is not None:
            _current.reset(token)


def tracked(function):
    """Decorate a service: `tracking` around it; it names what it changes with `follow`."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with tracking():
            return function(*args, **kwargs)

    return wrapper


def follow(*, orders: Iterable = (), requests: Iterable = (), buildings: Iterable = ()) -> None:
    """Inside `tracking` (or a `tracked` service): these rows are about to change."""
    measure = _current.get()
    if _paused.get():
        return
    if measure is None:
        raise RuntimeError("rollups.follow() hors d'un bloc rollups.tracking()")
    _follow(measure, orders=orders, requests=requests, buildings=buildings)


def track_new(*, orders: Iterable = (), requests: Iterable = ()) -> None:
    """Count rows just created (they added nothing before): at the end of the current `tracking`
    block, or now if there is none."""
    if _paused.get():
        return
    outer = _current.get()
    if outer is not None:
        _follow(outer, orders=orders, requests=requests, existing=False)
        return
    with tracking() as measure:
        _follow(measure, orders=orders, requests=requests, existing=False)
