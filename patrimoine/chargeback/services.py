"""Issuing a charge-back statement: number it, freeze its lines, never bill an order twice."""

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from patrimoine.chargeback.models import Statement, StatementLine
from patrimoine.chargeback.selectors import chargeable_communes, period_over, statement_draft
from patrimoine.core.errors import ConcurrentEditError, DomainError
from patrimoine.core.services import audit_record, reference_next
from patrimoine.costs.selectors import Period
from patrimoine.organisations.access import Access
from patrimoine.organisations.models import Organisation
from patrimoine.workorders.models import WorkOrder

PREFIX = "RF"


def _check_period(period: Period, today) -> None:
    if period.end < period.start:
        raise DomainError(_("La fin de la période doit suivre son début."))
    if not period_over(period, today):
        raise DomainError(
            _("La période n'est pas terminée : le relevé pourra être émis à partir du %(day)s.")
            % {"day": (period.end + dt.timedelta(days=1)).strftime("%d/%m/%Y")}
        )


@transaction.atomic
def statement_issue(
    *, access: Access, commune: Organisation, period: Period, fingerprint: str | None = None, now=None
) -> Statement:
    """Issue the statement of `commune` for `period`: what the issuer's teams did there, not yet billed.

    `fingerprint` is the draft's, as previewed: if what would be billed changed since, nothing is
    issued and the user is asked to look at the new draft. The orders are locked for the transaction;
    a concurrent issue of the same orders fails on the unique line per order and changes nothing.
    """
    access.require("chargeback.issue")
    issuer = access.organisation
    now = now or timezone.now()
    _check_period(period, timezone.localdate(now))
    if commune.pk == issuer.pk or not chargeable_communes(issuer).filter(pk=commune.pk).exists():
        raise DomainError(
            _("%(issuer)s ne refacture pas de travaux à %(commune)s.") % {"issuer": issuer, "commune": commune}
        )
    draft = statement_draft(issuer, commune, period)
    if not draft.lines:
        raise DomainError(
            _(
                "Rien à refacturer à %(commune)s du %(start)s au %(end)s : aucun bon validé par vos équipes, "
                "ou tous figurent déjà sur un relevé émis."
            )
            % {"commune": commune, "start": period.start.strftime("%d/%m/%Y"), "end": period.end.strftime("%d/%m/%Y")}
        )
    if fingerprint is not None and fingerprint != draft.fingerprint:
        raise ConcurrentEditError(
            _("Les bons à refacturer ont changé depuis l'aperçu. Vérifiez le nouvel aperçu avant d'émettre.")
        )
    list(WorkOrder._base_manager.select_for_update().filter(pk__in=[line.work_order.pk for line in draft.lines]))
    user = access.user
    statement = Statement(
        organisation=issuer,
        commune=commune,
        reference=reference_next(organisation=issuer, prefix=PREFIX, year=timezone.localdate(now).year),
        period_start=period.start,
        period_end=period.end,
        issued_at=now,
        issued_by=user,
        issued_by_name=(user.get_full_name() or user.get_username())[:150],
        issuer_name=issuer.name,
        issuer_address=issuer.address,
        issuer_siren=issuer.siren,
        commune_name=commune.name,
        commune_address=commune.address,
        commune_siren=commune.siren,
        overhead_rate=draft.overhead_rate,
        hours=draft.hours,
        labour=draft.labour,
        material=draft.material,
        external=draft.external,
        subtotal=draft.subtotal,
        overhead=draft.overhead,
        total=draft.total,
        line_count=len(draft.lines),
    )
    lines = [
        StatementLine(
            organisation=issuer,
            commune=commune,
            statement=statement,
            work_order=line.work_order,
            position=position,
            reference=line.reference,
            title=line.title[:200],
            place=line.place,
            trade_name=line.trade_name[:80],
            team_name=line.team_name[:120],
            validated_on=line.validated_on,
            hours=line.hours,
            labour=line.labour,
            material=line.material,
            external=line.external,
            subtotal=line.subtotal,
            detail=line.detail,
        )
        for position, line in enumerate(draft.lines, start=1)
    ]
    try:
        with transaction.atomic():
            statement.save()
            StatementLine._base_manager.bulk_create(lines)
    except IntegrityError as exc:
        raise DomainError(
            _("Certains de ces bons viennent d'être refacturés sur un autre relevé : rien n'a été émis.")
        ) from exc
    audit_record(
        actor=user,
        action="chargeback.issue",
        target=statement,
        message=f"{statement.reference} {commune} {period.start:%d/%m/%Y}–{period.end:%d/%m/%Y} : {statement.total} €",
        data={
            "commune": commune.pk,
            "orders": [str(line.work_order.pk) for line in draft.lines],
            "subtotal": str(statement.subtotal),
            "overhead_rate": str(statement.overhead_rate),
            "total": str(statement.total),
        },
    )
    return statement
