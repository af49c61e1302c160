"""Writes on budgets: budget lines and the imputation of a work order to a line."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from patrimoine.budgets.models import BudgetLine, WorkOrderImputation
from patrimoine.core.errors import DomainError, PermissionRefused
from patrimoine.core.services import audit_record
from patrimoine.organisations.access import Access

CENT = Decimal("0.01")


def _amount(value, message: str) -> Decimal:
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise DomainError(message) from exc
    if not number.is_finite():
        raise DomainError(message)
    return number.quantize(CENT, rounding=ROUND_HALF_UP)


def _require_manage(access: Access, organisation_id: int | None) -> None:
    if organisation_id is None or not access.has("budgets.manage") or organisation_id not in access.write_org_ids:
        raise PermissionRefused(_("Votre rôle ne permet pas de modifier le budget de cette collectivité."))


@transaction.atomic
def budget_line_save(
    *,
    access: Access,
    line: BudgetLine | None = None,
    year: int,
    section: str,
    code: str,
    label: str,
    amount,
    alert_threshold=Decimal("90"),
    trade=None,
    building=None,
    is_default: bool = False,
) -> BudgetLine:
    """Create a line of the active organisation's budget, or change one."""
    organisation_id = line.organisation_id if line is not None else getattr(access.organisation, "pk", None)
    _require_manage(access, organisation_id)
    code, label = (code or "").strip()[:30], (label or "").strip()[:200]
    if not code or not label:
        raise DomainError(_("Indiquez le code et le libellé de la ligne."))
    if section not in BudgetLine.Section.values:
        raise DomainError(_("Choisissez la section (fonctionnement ou investissement)."))
    if not 2000 <= int(year) <= 2100:
        raise DomainError(_("Indiquez un exercice valide."))
    amount = _amount(amount, _("Les crédits sont un montant positif ou nul."))
    if amount < 0:
        raise DomainError(_("Les crédits sont un montant positif ou nul."))
    threshold = _amount(alert_threshold, _("Le seuil d'alerte est un pourcentage entre 1 et 100."))
    if not 1 <= threshold <= 100:
        raise DomainError(_("Le seuil d'alerte est un pourcentage entre 1 et 100."))
    if building is not None and building.organisation_id != organisation_id:
        raise DomainError(_("Ce bâtiment n'appartient pas à cette collectivité."))
    lines = BudgetLine._base_manager.filter(organisation_id=organisation_id, year=year)
    if line is not None:
        lines = lines.exclude(pk=line.pk)
    if lines.filter(code=code).exists():
        raise DomainError(
            _("La ligne « %(code)s » existe déjà dans le budget %(year)s.") % {"code": code, "year": year}
        )
    if is_default and (trade is not None or building is not None):
        raise DomainError(_("La ligne par défaut ne vise ni un métier ni un bâtiment."))
    if is_default:
        lines.filter(section=section, is_default=True).update(is_default=False, updated_at=timezone.now())
    values = {
        "year": int(year),
        "section": section,
        "code": code,
        "label": label,
        "amount": amount,
        "alert_threshold": threshold,
        "trade": trade,
        "building": building,
        "is_default": bool(is_default),
    }
    if line is None:
        line = BudgetLine._base_manager.create(organisation_id=organisation_id, **values)
        action, previous = "budget.line_create", None
    else:
        previous = str(line.amount)
        BudgetLine._base_manager.filter(pk=line.pk).update(**values, updated_at=timezone.now())
        for key, value in values.items():
            setattr(line, key, value)
        action = "budget.line_change"
    audit_record(
        actor=access.user,
        action=action,
        target=line,
        message=f"{year} {code} {label} : {amount} €",
        data={"previous_amount": previous, "amount": str(amount)},
    )
    return line


@transaction.atomic
def work_order_imputation_set(*, access: Access, work_order, budget_line: BudgetLine | None) -> None:
    """Charge a work order to `budget_line` instead of the automatic rule (None: back to the rule)."""
    _require_manage(access, work_order.organisation_id)
    current = WorkOrderImputation._base_manager.filter(work_order=work_order).first()
    if budget_line is None:
        if current is not None:
            WorkOrderImputation._base_manager.filter(pk=current.pk).delete()
            audit_record(actor=access.user, action="budget.imputation_clear", target=work_order, message="")
        return
    if budget_line.organisation_id != work_order.organisation_id:
        raise DomainError(_("Cette ligne n'appartient pas au budget de la collectivité du bon de travail."))
    if current is None:
        WorkOrderImputation._base_manager.create(
            organisation_id=work_order.organisation_id,
            work_order=work_order,
            budget_line=budget_line,
            created_by=access.user,
        )
    else:
        WorkOrderImputation._base_manager.filter(pk=current.pk).update(
            budget_line=budget_line, created_by=access.user, updated_at=timezone.now()
        )
    audit_record(
        actor=access.user,
        action="budget.imputation_set",
        target=work_order,
        message=f"{work_order.reference} → {budget_line.year} {budget_line.code}",
        data={"budget_line": str(budget_line.pk)},
    )
