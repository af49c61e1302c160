"""Charge-back statements (relevés de refacturation): what a shared team did for a member commune.

A statement exists only once issued: the draft is computed on the fly (`selectors.statement_draft`).
At issue time every billed work order is copied into a `StatementLine` (amounts, hours, rates,
materials and contractor lines), so a later change to an order, a rate or a name never changes an
issued statement. A work order appears on at most one line of any statement (unique constraint).

Both the issuer (the EPCI, `organisation`) and the debtor (`commune`) read a statement, so the
default manager opens it to a scope containing either party — and still refuses to run without one.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django_scopes import get_scope
from django_scopes.manager import DisabledQuerySet

from patrimoine.core.errors import DomainError
from patrimoine.core.models import TenantModel

MONEY = {"max_digits": 12, "decimal_places": 2}


class PartyScopedManager(models.Manager):
    """Like the tenant `ScopedManager`, but a row is in scope when its issuer OR its commune is."""

    def get_queryset(self):
        current = get_scope()
        if not current.get("_enabled", True):
            return super().get_queryset()
        if "organisation" not in current:
            return DisabledQuerySet(self.model, using=self._db, missing_scopes={"organisation"})
        value = current["organisation"]
        ids = list(value) if isinstance(value, (list, tuple, set, frozenset)) else [value]
        return super().get_queryset().filter(Q(organisation_id__in=ids) | Q(commune_id__in=ids))


class FrozenRecord(TenantModel):
    """A row written once, at issue time, and never changed or deleted afterwards."""

    commune = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("commune facturée")
    )

    objects = PartyScopedManager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise DomainError(_t("Un relevé émis ne peut plus être modifié."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise DomainError(_t("Un relevé émis ne peut pas être supprimé."))


class Statement(FrozenRecord):
    """An issued statement, numbered per issuer and year (RF-2026-000001). `organisation` is the issuer."""

    reference = models.CharField(_("numéro"), max_length=20)
    period_start = models.DateField(_("du"))
    period_end = models.DateField(_("au"))
    issued_at = models.DateTimeField(_("émis le"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    issued_by_name = models.CharField(_("émis par"), max_length=150, blank=True)
    # Names and addresses as they were on the day of issue.
    issuer_name = models.CharField(_("émetteur"), max_length=150)
    issuer_address = models.CharField(_("adresse de l'émetteur"), max_length=250, blank=True)
    issuer_siren = models.CharField(_("SIREN de l'émetteur"), max_length=9, blank=True)
    commune_name = models.CharField(_("commune"), max_length=150)
    commune_address = models.CharField(_("adresse de la commune"), max_length=250, blank=True)
    commune_siren = models.CharField(_("SIREN de la commune"), max_length=9, blank=True)
    overhead_rate = models.DecimalField(_("taux de frais généraux (%)"), max_digits=5, decimal_places=2)
    hours = models.DecimalField(_("heures"), max_digits=10, decimal_places=2)
    labour = models.DecimalField(_("main-d'œuvre"), **MONEY)
    material = models.DecimalField(_("matériel"), **MONEY)
    external = models.DecimalField(_("prestations externes"), **MONEY)
    subtotal = models.DecimalField(_("coût direct"), **MONEY)
    overhead = models.DecimalField(_("frais généraux"), **MONEY)
    total = models.DecimalField(_("total à refacturer"), **MONEY)
    line_count = models.PositiveIntegerField(_("bons refacturés"))

    class Meta:
        verbose_name = _("relevé de refacturation")
        verbose_name_plural = _("relevés de refacturation")
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "reference"], name="uniq_statement_reference"),
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="statement_period"),
            # Within a tenth of a cent: SQLite stores decimals as binary floats (PostgreSQL is exact).
            models.CheckConstraint(
                condition=Q(
                    subtotal__gte=models.F("labour") + models.F("material") + models.F("external") - Decimal("0.001"),
                    subtotal__lte=models.F("labour") + models.F("material") + models.F("external") + Decimal("0.001"),
                ),
                name="statement_subtotal_is_sum",
            ),
            models.CheckConstraint(
                condition=Q(
                    total__gte=models.F("subtotal") + models.F("overhead") - Decimal("0.001"),
                    total__lte=models.F("subtotal") + models.F("overhead") + Decimal("0.001"),
                ),
                name="statement_total_is_sum",
            ),
        ]
        indexes = [models.Index(fields=["commune", "-issued_at"]), models.Index(fields=["organisation", "-issued_at"])]

    def __str__(self) -> str:
        return self.reference


class StatementLine(FrozenRecord):
    """One billed work order, copied at issue time. `detail` lists its items (see `selectors.LineItem`)."""

    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="lines")
    work_order = models.OneToOneField(  # one line per order, ever: never billed twice
        "workorders.WorkOrder", on_delete=models.PROTECT, related_name="+", verbose_name=_("bon de travail")
    )
    position = models.PositiveIntegerField(_("ordre"))
    reference = models.CharField(_("bon"), max_length=20)
    title = models.CharField(_("intitulé"), max_length=200)
    place = models.CharField(_("lieu"), max_length=300, blank=True)
    trade_name = models.CharField(_("corps de métier"), max_length=80, blank=True)
    team_name = models.CharField(_("équipe"), max_length=120, blank=True)
    validated_on = models.DateField(_("validé le"))
    hours = models.DecimalField(_("heures"), max_digits=10, decimal_places=2)
    labour = models.DecimalField(_("main-d'œuvre"), **MONEY)
    material = models.DecimalField(_("matériel"), **MONEY)
    external = models.DecimalField(_("prestations externes"), **MONEY)
    subtotal = models.DecimalField(_("sous-total"), **MONEY)
    detail = models.JSONField(_("détail"), default=list)

    class Meta:
        verbose_name = _("ligne de relevé")
        verbose_name_plural = _("lignes de relevé")
        ordering = ["statement", "position"]
        constraints = [
            models.UniqueConstraint(fields=["statement", "position"], name="uniq_statement_line_position"),
            models.CheckConstraint(
                condition=Q(
                    subtotal__gte=models.F("labour") + models.F("material") + models.F("external") - Decimal("0.001"),
                    subtotal__lte=models.F("labour") + models.F("material") + models.F("external") + Decimal("0.001"),
                ),
                name="statement_line_subtotal_is_sum",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "commune", "validated_on"])]

    def __str__(self) -> str:
        return f"{self.statement_id} — {self.reference}"
