"""Precomputed rollups of the dashboards: counts and sums per organisation and month.

Four narrow tables, each the `GROUP BY` of raw rows (work orders, work requests) by the month of an
event (filing, triage, creation, closing, completion, validation) and a few keys. They are kept in
step by the services in the same transaction (`reporting.rollups.tracking`) and recomputed from the
raw tables by `manage.py rollups_rebuild`; `reporting.rollups.events` is their one definition.

A table holds its rows at one or two *grains* (`grain`): a coarse one that unfiltered dashboards
read and a detailed one for filtered views; a key the grain does not use holds its neutral value
(trade 0, type of building ""). A read always names its grain.
"""

import uuid
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from patrimoine.core.models import TenantModel

NO_TRADE = 0
NO_BUILDING = uuid.UUID(int=0)


class Grain(models.IntegerChoices):
    ORGANISATION = 0, _("collectivité")
    TRADE = 1, _("corps de métier")
    DETAIL = 2, _("corps de métier et type d'établissement")


def _trade():
    # Plain ids, not foreign keys: 0 stands for « none » (a unique key cannot hold NULL portably).
    return models.IntegerField(_("corps de métier"), default=NO_TRADE)


def _money(label):
    return models.DecimalField(label, max_digits=14, decimal_places=2, default=Decimal("0"))


class Rollup(TenantModel):
    month = models.DateField(_("mois"))
    grain = models.PositiveSmallIntegerField(_("grain"), choices=Grain.choices)

    # Keys (after organisation, grain, month) and measures of each table, in column order.
    KEYS: tuple[str, ...] = ()
    MEASURES: tuple[str, ...] = ()

    class Meta:
        abstract = True


class RequestMonth(Rollup):
    """Requests filed per channel, and the backlog of requests waiting for triage (in and out)."""

    trade_id = _trade()
    erp_type = models.CharField(_("type ERP"), max_length=2, blank=True, default="")
    filed_internal = models.IntegerField(default=0)
    filed_citizen = models.IntegerField(default=0)
    filed_counter = models.IntegerField(default=0)
    filed_field = models.IntegerField(default=0)
    waiting_in = models.IntegerField(default=0)  # filed this month and waited for triage
    waiting_out = models.IntegerField(default=0)  # triaged this month

    KEYS = ("trade_id", "erp_type")
    MEASURES = (
        "filed_internal",
        "filed_citizen",
        "filed_counter",
        "filed_field",
        "waiting_in",
        "waiting_out",
    )

    class Meta:
        verbose_name = _("cumul mensuel des demandes")
        verbose_name_plural = _("cumuls mensuels des demandes")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "grain", "month", "trade_id", "erp_type"], name="uniq_request_month"
            )
        ]


class RepairMonth(Rollup):
    """Requests whose work order was completed this month, per time to repair rounded to a tenth of
    a day (the histogram gives the exact median as displayed; the sum gives the mean)."""

    trade_id = _trade()
    erp_type = models.CharField(_("type ERP"), max_length=2, blank=True, default="")
    bucket = models.IntegerField(_("délai (dixièmes de jour)"))
    repaired = models.IntegerField(default=0)
    repair_micros = models.BigIntegerField(default=0)

    KEYS = ("trade_id", "erp_type", "bucket")
    MEASURES = ("repaired", "repair_micros")

    class Meta:
        verbose_name = _("cumul mensuel des délais de réparation")
        verbose_name_plural = _("cumuls mensuels des délais de réparation")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "grain", "month", "trade_id", "erp_type", "bucket"], name="uniq_repair_month"
            )
        ]


class OrderMonth(Rollup):
    """Work orders opened, closed (completed or cancelled), completed (with a due date, on time) and
    validated with their frozen cost."""

    trade_id = _trade()
    erp_type = models.CharField(_("type ERP"), max_length=2, blank=True, default="")
    opened = models.IntegerField(default=0)
    closed = models.IntegerField(default=0)
    completed = models.IntegerField(default=0)
    completed_with_due = models.IntegerField(default=0)
    completed_on_time = models.IntegerField(default=0)
    validated = models.IntegerField(default=0)
    labour = _money(_("main-d'œuvre"))
    material = _money(_("matériel"))
    external = _money(_("prestations externes"))
    total = _money(_("coût total"))

    KEYS = ("trade_id", "erp_type")
    MEASURES = (
        "opened",
        "closed",
        "completed",
        "completed_with_due",
        "completed_on_time",
        "validated",
        "labour",
        "material",
        "external",
        "total",
    )

    class Meta:
        verbose_name = _("cumul mensuel des bons de travail")
        verbose_name_plural = _("cumuls mensuels des bons de travail")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "grain", "month", "trade_id", "erp_type"], name="uniq_order_month"
            )
        ]


class BuildingMonth(Rollup):
    """Validated work orders and their cost per building, all trades (grain ORGANISATION only)."""

    building_id = models.UUIDField(_("bâtiment"), default=NO_BUILDING)
    validated = models.IntegerField(default=0)
    labour = _money(_("main-d'œuvre"))
    material = _money(_("matériel"))
    external = _money(_("prestations externes"))
    total = _money(_("coût total"))

    KEYS = ("building_id",)
    MEASURES = ("validated", "labour", "material", "external", "total")

    class Meta:
        verbose_name = _("cumul mensuel des coûts par bâtiment")
        verbose_name_plural = _("cumuls mensuels des coûts par bâtiment")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "grain", "month", "building_id"], name="uniq_building_month"
            )
        ]


ROLLUPS = (RequestMonth, RepairMonth, OrderMonth, BuildingMonth)
