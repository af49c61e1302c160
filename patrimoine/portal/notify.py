"""Telling the citizen: a small function the intake and work order services call when a request is
received, accepted, planned, done or rejected, or when the service writes a public reply.

It marks the report's news (for the « à rappeler » list) and, when the person gave an e-mail address
and agreed to be contacted, sends a message with the tracking link once the transaction commits.
Requests not filed through the portal or a counter have no report: nothing happens.
"""

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from patrimoine.intake.selectors import request_progress

SUBJECTS = {
    "received": gettext_noop("Votre signalement %(reference)s est bien reçu"),
    "accepted": gettext_noop("Votre signalement %(reference)s est pris en charge"),
    "planned": gettext_noop("Votre signalement %(reference)s : intervention planifiée"),
    "done": gettext_noop("Votre signalement %(reference)s : intervention terminée"),
    "rejected": gettext_noop("Votre signalement %(reference)s n'a pas été retenu"),
    "reply": gettext_noop("Votre signalement %(reference)s : une réponse du service"),
}


def tracking_url(report) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + reverse("portal:track", kwargs={"token": report.token})


def citizen_notify(work_request, event: str, *, report=None, reply=None) -> None:
    """Record news on the request's public report and e-mail the citizen on commit (with consent)."""
    from patrimoine.portal.models import PublicReport

    if report is None:
        report = PublicReport.objects.filter(work_request=work_request).select_related("organisation").first()
        if report is None:
            return
    now = timezone.now()
    PublicReport.objects.filter(pk=report.pk).update(last_news_at=now)
    report.last_news_at = now
    if not (report.contact_consent and report.contact_email):
        return
    organisation = report.organisation
    body = render_to_string(
        "portal/emails/news.txt",
        {
            "event": event,
            "request": work_request,
            "report": report,
            "organisation": organisation,
            "progress": request_progress(work_request),
            "reply": reply,
            "url": tracking_url(report),
        },
    )
    message = EmailMessage(
        subject=_(SUBJECTS[event]) % {"reference": work_request.reference},
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[report.contact_email],
        reply_to=[organisation.email] if organisation.email else None,
    )
    transaction.on_commit(message.send, robust=True)


def citizen_notify_order(work_order, event: str) -> None:
    """The same news for every public report following this work order (duplicates merged in too)."""
    from patrimoine.intake.models import WorkRequest

    for work_request in WorkRequest.objects.filter(work_order=work_order, public_report__isnull=False).select_related(
        "work_order__team", "work_order__contractor", "organisation"
    ):
        citizen_notify(work_request, event)
