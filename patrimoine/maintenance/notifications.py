"""E-mails of preventive maintenance: overdue statutory checks (once per check and recipient) and
the weekly digest for managers (once per week, organisation and recipient).

Recipients are the organisation's managers and administrators with an e-mail address, unless their
preferences say otherwise. A `NotificationSent` row per (user, kind, key) is inserted in the same
transaction that queues the message (sent on commit): the jobs can run twice, or on two workers, and
nobody gets the same message twice.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_scopes import scopes_disabled

from patrimoine.organisations.models import Membership, Organisation
from patrimoine.workorders.models import WorkOrder

from .models import Finding, MaintenancePlan, NotificationPreference, NotificationSent
from .selectors import Compliance, FindingState, finding_state, plan_statuses

RECIPIENT_ROLES = (Membership.Role.MANAGER, Membership.Role.ADMIN)
OVERDUE, DIGEST = "retard", "synthese"


def site_url() -> str:
    return getattr(settings, "SITE_URL", "http://127.0.0.1:8000").rstrip("/")


@dataclass
class Recipient:
    user: object
    preference: NotificationPreference | None

    def wants(self, kind: str) -> bool:
        if self.preference is None:
            return True
        return self.preference.overdue_alerts if kind == OVERDUE else self.preference.weekly_digest


def recipients(organisation: Organisation, kind: str) -> list[Recipient]:
    memberships = (
        Membership.objects.filter(organisation=organisation, role__in=RECIPIENT_ROLES, is_active=True)
        .exclude(user__email="")
        .filter(user__is_active=True)
        .select_related("user__maintenance_preference")
        .order_by("user__username")
    )
    found = []
    for membership in memberships:
        preference = getattr(membership.user, "maintenance_preference", None)
        recipient = Recipient(membership.user, preference)
        if recipient.wants(kind):
            found.append(recipient)
    return found


def _claim(user, kind: str, key: str) -> bool:
    """True if this (user, kind, key) had not been sent yet — and mark it sent."""
    try:
        with transaction.atomic():
            NotificationSent.objects.create(user=user, kind=kind, key=key)
    except IntegrityError:
        return False
    return True


def _send_on_commit(to: str, subject: str, body: str, reply_to: str = "") -> None:
    message = EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        reply_to=[reply_to] if reply_to else None,
    )
    transaction.on_commit(message.send, robust=True)


def _statuses(organisation: Organisation, today: date):
    plans = (
        MaintenancePlan.objects.filter(organisation=organisation, is_active=True, statutory_check__isnull=False)
        .select_related("building", "equipment", "statutory_check", "team", "contractor")
        .order_by("name")
    )
    return plan_statuses(plans, today)


def overdue_alerts(today: date | None = None) -> int:
    """E-mail each manager the statutory checks that became overdue since the last alert."""
    today = today or timezone.localdate()
    sent = 0
    with scopes_disabled():
        for organisation in Organisation.objects.filter(is_active=True).order_by("pk"):
            overdue = [s for s in _statuses(organisation, today) if s.status == Compliance.OVERDUE]
            if not overdue:
                continue
            for recipient in recipients(organisation, OVERDUE):
                with transaction.atomic():
                    fresh = [s for s in overdue if _claim(recipient.user, OVERDUE, _overdue_key(s))]
                    if not fresh:
                        continue
                    subject = ngettext(
                        "%(n)d contrôle réglementaire en retard — %(org)s",
                        "%(n)d contrôles réglementaires en retard — %(org)s",
                        len(fresh),
                    ) % {"n": len(fresh), "org": organisation.name}
                    body = render_to_string(
                        "maintenance/emails/overdue.txt",
                        {
                            "user": recipient.user,
                            "organisation": organisation,
                            "statuses": fresh,
                            "today": today,
                            "compliance_url": site_url() + reverse("maintenance:compliance"),
                            "preferences_url": site_url() + reverse("maintenance:preferences"),
                        },
                    )
                    _send_on_commit(recipient.user.email, subject, body, organisation.email)
                    sent += 1
    return sent


def _overdue_key(status) -> str:
    occurrence = status.next
    return str(occurrence.pk) if occurrence is not None else f"{status.plan.pk}:{status.next_due:%Y-%m-%d}"


def weekly_digests(today: date | None = None) -> int:
    """The Monday digest: late and coming checks, open findings, orders generated this week."""
    today = today or timezone.localdate()
    year, week, _weekday = today.isocalendar()
    sent = 0
    with scopes_disabled():
        for organisation in Organisation.objects.filter(is_active=True).order_by("pk"):
            people = recipients(organisation, DIGEST)
            if not people:
                continue
            statuses = _statuses(organisation, today)
            if not statuses:
                continue
            findings = [
                f
                for f in Finding.objects.filter(organisation=organisation)
                .select_related("work_order", "building")
                .order_by("created_at")
                if finding_state(f) != FindingState.CLEARED
            ]
            since = timezone.now() - timedelta(days=7)
            generated = (
                WorkOrder.objects.filter(
                    organisation=organisation, maintenance_occurrence__isnull=False, created_at__gte=since
                )
                .select_related("building")
                .order_by("due_date")
            )
            context = {
                "organisation": organisation,
                "today": today,
                "overdue": [s for s in statuses if s.status == Compliance.OVERDUE],
                "due_soon": [s for s in statuses if s.status == Compliance.DUE_SOON],
                "findings": findings,
                "generated": list(generated[:30]),
                "generated_count": generated.count(),
                "compliance_url": site_url() + reverse("maintenance:compliance"),
                "preferences_url": site_url() + reverse("maintenance:preferences"),
            }
            for recipient in people:
                with transaction.atomic():
                    if not _claim(recipient.user, DIGEST, f"{year}-W{week:02d}-{organisation.pk}"):
                        continue
                    subject = _("Maintenance — synthèse de la semaine %(week)d, %(org)s") % {
                        "week": week,
                        "org": organisation.name,
                    }
                    body = render_to_string("maintenance/emails/digest.txt", {**context, "user": recipient.user})
                    _send_on_commit(recipient.user.email, subject, body, organisation.email)
                    sent += 1
    return sent
