"""Writes on work requests: filing one, then triage (accept into a work order, reject, merge).

Every function takes the acting user's `Access`, checks the role and the request's organisation,
validates, runs in one transaction with its audit row, and raises a DomainError with a French
message when refused — in which case nothing has changed. E-mails to the requester leave only once
the transaction is committed (`on_commit`).
"""

import logging
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from patrimoine.core.errors import DomainError, PermissionRefused
from patrimoine.core.services import audit_record, reference_next
from patrimoine.documents.services import document_attach, upload_check
from patrimoine.intake.models import RequesterBuilding, Urgency, WorkRequest
from patrimoine.intake.selectors import request_progress, work_request_may
from patrimoine.organisations.access import Access
from patrimoine.organisations.models import Team, Trade
from patrimoine.portal.notify import citizen_notify, citizen_notify_order
from patrimoine.reporting import rollups
from patrimoine.triage.models import Suggestion
from patrimoine.triage.services import suggestion_decide, suggestion_record
from patrimoine.workorders.models import WorkOrder
from patrimoine.workorders.services import work_order_create, work_order_plan

logger = logging.getLogger(__name__)
Status = WorkRequest.Status

MAX_PHOTOS = 6
DESCRIPTION_MAX = 4000

PRIORITY_OF_URGENCY = {
    Urgency.URGENT: WorkOrder.Priority.URGENT,
    Urgency.NORMAL: WorkOrder.Priority.NORMAL,
    Urgency.LOW: WorkOrder.Priority.LOW,
}


def suggest_trade(description: str, equipment=None, organisation=None) -> Trade | None:
    """The trade a request probably needs: the equipment category's usual trade, else the triage
    model's answer when it is confident (None: « je ne sais pas », or AI off for the organisation)."""
    from patrimoine.triage.selectors import trade_suggestion

    return trade_suggestion(description, equipment=equipment, organisation=organisation)


# --- Filing a request -----------------------------------------------------------------------------


def _resolve_location(*, access: Access, building, equipment, space, location_text: str):
    """Check the place is coherent and return (organisation, building, site)."""
    if equipment is not None:
        if building is None:
            building = equipment.building
        elif equipment.building_id not in (None, building.pk):
            raise DomainError(_("L'équipement choisi ne se trouve pas dans ce bâtiment."))
    if space is not None:
        space_building = space.level.building
        if building is None:
            building = space_building
        elif space_building.pk != building.pk:
            raise DomainError(_("Le local choisi ne se trouve pas dans ce bâtiment."))
    if equipment is not None and space is not None and equipment.space_id not in (None, space.pk):
        raise DomainError(_("L'équipement choisi ne se trouve pas dans ce local."))
    anchor = building or equipment or space
    if anchor is None and not location_text:
        raise DomainError(_("Indiquez le lieu : choisissez un bâtiment ou décrivez l'endroit (adresse, rue…)."))
    organisation = anchor.organisation if anchor is not None else access.organisation
    for asset in (building, equipment, space):
        if asset is not None and asset.organisation_id != organisation.pk:
            raise DomainError(_("Le lieu choisi appartient à une autre collectivité."))
    site = building.site if building is not None else (equipment.site if equipment is not None else None)
    return organisation, building, site


def photos_check(photos: Iterable[UploadedFile]) -> list[UploadedFile]:
    """Check every photo from its content before anything is written; refuse the lot on one bad file."""
    photos = [photo for photo in photos if photo]
    if len(photos) > MAX_PHOTOS:
        raise DomainError(_("Joignez au plus %(max)d photos.") % {"max": MAX_PHOTOS})
    for photo in photos:
        mime = upload_check(photo)
        if not mime.startswith("image/"):
            raise DomainError(
                _("Le fichier « %(name)s » n'est pas une photo : joignez une image JPEG, PNG ou WebP.")
                % {"name": photo.name}
            )
    return photos


def _coordinates_check(latitude: Decimal | None, longitude: Decimal | None) -> None:
    if (latitude is None) != (longitude is None):
        raise DomainError(_("Indiquez la latitude et la longitude, ou ni l'une ni l'autre."))
    if latitude is not None and not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise DomainError(_("Coordonnées hors limites : latitude entre -90 et 90, longitude entre -180 et 180."))


@transaction.atomic
def work_request_create(
    *,
    access: Access,
    description: str,
    urgency: str = Urgency.NORMAL,
    building=None,
    equipment=None,
    space=None,
    location_text: str = "",
    photos: Iterable[UploadedFile] = (),
    channel: str = WorkRequest.Channel.INTERNAL,
    requester_name: str = "",
    requester_email: str = "",
    requester_phone: str = "",
    site_url: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    suggested_trade: Trade | None = None,
) -> WorkRequest:
    """File a request (DI-2026-000123) for a building, an equipment or a described place.

    It belongs to the place's organisation, which the user must be able to act for. The requester
    gets an acknowledgement by e-mail once the request is saved, with a link to follow it when
    `site_url` (e.g. https://patrimoine.example.fr) is given. A channel that knows the trade (an
    Open311 service) gives `suggested_trade`; otherwise it is guessed from the description.
    """
    if not access.has("intake.create"):
        raise PermissionRefused(_("Votre rôle ne permet pas de signaler un problème."))
    description = (description or "").strip()
    location_text = (location_text or "").strip()[:250]
    if not description:
        raise DomainError(_("Décrivez le problème : que se passe-t-il, et où exactement ?"))
    if len(description) > DESCRIPTION_MAX:
        raise DomainError(_("La description est trop longue (%(max)d caractères au plus).") % {"max": DESCRIPTION_MAX})
    if urgency not in Urgency.values:
        raise DomainError(_("Choisissez l'urgence du problème."))
    if channel not in WorkRequest.Channel.values:
        raise DomainError(_("Canal de la demande inconnu."))
    organisation, building, site = _resolve_location(
        access=access, building=building, equipment=equipment, space=space, location_text=location_text
    )
    if organisation is None or organisation.pk not in access.write_org_ids:
        raise PermissionRefused(_("Vous ne pouvez pas signaler de problème pour cette collectivité."))
    photos = photos_check(photos)
    _coordinates_check(latitude, longitude)

    user = access.user
    work_request = WorkRequest(
        organisation=organisation,
        reference=reference_next(organisation=organisation, prefix="DI"),
        channel=channel,
        requested_by=user,
        requester_name=(requester_name or "").strip()[:150],
        requester_email=(requester_email or "").strip()[:254],
        requester_phone=(requester_phone or "").strip()[:30],
        site=site,
        building=building,
        space=space,
        equipment=equipment,
        location_text=location_text,
        description=description,
        urgency=urgency,
        latitude=latitude,
        longitude=longitude,
        suggested_trade=suggested_trade or suggest_trade(description, equipment, organisation),
    )
    work_request.save()
    rollups.track_new(requests=[work_request.pk])
    suggestion_record(work_request)
    for photo in photos:
        document_attach(actor=user, target=work_request, uploaded=photo, title=_("Photo du signalement"))
    if building is not None and user is not None:
        RequesterBuilding.objects.get_or_create(user=user, building=building, defaults={"organisation": organisation})
    audit_record(
        actor=user,
        action="work_request.create",
        target=work_request,
        message=work_request.reference,
        data={"urgency": urgency, "channel": channel, "photos": len(photos)},
    )
    _mail_on_commit(
        work_request,
        subject=_("Demande %(reference)s bien reçue") % {"reference": work_request.reference},
        template="intake/emails/acknowledgement.txt",
        context={"photos": len(photos)},
        site_url=site_url,
    )
    return work_request


# --- Triage -------------------------------------------------------------------------------------


def _lock_for_triage(access: Access, work_request: WorkRequest) -> WorkRequest:
    """Refuse unless the user may triage this request now; lock its row so two leads cannot both act."""
    if not work_request_may(access, "intake.triage", work_request):
        raise PermissionRefused(_("Votre rôle ne permet pas de trier cette demande."))
    current = WorkRequest.objects.select_for_update().get(pk=work_request.pk)
    if current.status != Status.NEW:
        raise DomainError(
            _("La demande %(reference)s a déjà été triée (%(status)s).")
            % {"reference": current.reference, "status": current.get_status_display()}
        )
    return current


def work_order_title(description: str, words: int = 10, limit: int = 80) -> str:
    """A work order's title from the first words of the request: « Fuite sous l'évier de la cantine… »."""
    first_line = next((line.strip() for line in description.splitlines() if line.strip()), "")
    parts = first_line.split()
    title = " ".join(parts[:words])
    truncated = len(parts) > words
    if len(title) > limit:
        title, truncated = title[:limit].rsplit(" ", 1)[0], True
    title = title.rstrip(" ,;:.-")
    if truncated:
        title += "…"
    return title[:1].upper() + title[1:]


@transaction.atomic
@rollups.tracked
def work_request_accept(
    *,
    access: Access,
    work_request: WorkRequest,
    trade: Trade | None = None,
    priority: str | None = None,
    team: Team | None = None,
    technicians=(),
    planned_start: datetime | None = None,
    planned_end: datetime | None = None,
    site_url: str = "",
) -> WorkRequest:
    """Accept a new request: create its work order (suggested trade, priority from the urgency) and,
    when a team is given, plan it. Requests already merged into this one follow the same order."""
    current = _lock_for_triage(access, work_request)
    rollups.follow(requests=_with_duplicates(current))
    trade = trade or current.suggested_trade
    if trade is None:
        raise DomainError(_("Choisissez le corps de métier : aucune suggestion n'a pu être faite pour cette demande."))
    priority = priority or PRIORITY_OF_URGENCY.get(current.urgency, WorkOrder.Priority.NORMAL)
    if priority not in WorkOrder.Priority.values:
        raise DomainError(_("Priorité inconnue."))
    technicians = list(technicians)
    if team is None and (technicians or planned_start):
        raise DomainError(_("Choisissez l'équipe qui interviendra pour planifier l'intervention."))
    work_order = work_order_create(
        access=access,
        organisation=current.organisation,
        title=work_order_title(current.description),
        trade=trade,
        description=_("%(description)s\n\nDemande %(reference)s de %(requester)s.")
        % {"description": current.description, "reference": current.reference, "requester": _requester_label(current)},
        priority=priority,
        site=current.site,
        building=current.building,
        space=current.space,
        equipment=current.equipment,
        location_text=current.location_text,
    )
    if team is not None:
        work_order_plan(
            access=access,
            work_order=work_order,
            expected_version=work_order.version,
            team=team,
            technicians=technicians,
            planned_start=planned_start,
            planned_end=planned_end,
        )
    now = timezone.now()
    fields = {"status": Status.ACCEPTED, "trade": trade, "work_order": work_order, "triaged_by": access.user}
    _save_triage(current, fields, now)
    suggestion_decide(
        work_request=current, outcome=Suggestion.Outcome.ACCEPTED, actor=access.user, trade=trade, priority=priority
    )
    # Requests merged into this one follow the same work order.
    WorkRequest.objects.filter(duplicate_of=current).update(work_order=work_order, updated_at=now)
    audit_record(
        actor=access.user,
        action="work_request.accept",
        target=current,
        message=f"{current.reference} → {work_order.reference}",
        data={"trade": trade.code, "priority": priority, "team": str(team.pk) if team else None},
    )
    current.work_order = work_order
    _notify_followers(
        current,
        subject=_("Demande %(reference)s acceptée") % {"reference": current.reference},
        template="intake/emails/accepted.txt",
        site_url=site_url,
    )
    citizen_notify_order(work_order, "accepted")  # citizens of the portal and the counter
    _copy_back(work_request, current)
    return work_request


@transaction.atomic
@rollups.tracked
def work_request_reject(*, access: Access, work_request: WorkRequest, reason: str, site_url: str = "") -> WorkRequest:
    """Reject a new request; the reason is required and sent to the requester."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Indiquez le motif du rejet : le demandeur le lira."))
    current = _lock_for_triage(access, work_request)
    rollups.follow(requests=[current.pk])
    _save_triage(current, {"status": Status.REJECTED, "rejection_reason": reason[:2000], "triaged_by": access.user})
    suggestion_decide(work_request=current, outcome=Suggestion.Outcome.REJECTED, actor=access.user)
    audit_record(actor=access.user, action="work_request.reject", target=current, message=reason)
    _notify_followers(
        current,
        subject=_("Demande %(reference)s non retenue") % {"reference": current.reference},
        template="intake/emails/rejected.txt",
        site_url=site_url,
    )
    citizen_notify(current, "rejected")  # citizens of the portal and the counter
    _copy_back(work_request, current)
    return work_request


@transaction.atomic
@rollups.tracked
def work_request_merge(
    *, access: Access, work_request: WorkRequest, into: WorkRequest, site_url: str = ""
) -> WorkRequest:
    """Mark a new request as a duplicate of `into` (same organisation, neither merged nor rejected).

    The duplicate takes `into`'s work order, if any, so its requester follows the repair; requests
    already merged into the duplicate move to `into` as well (no chains)."""
    current = _lock_for_triage(access, work_request)
    if into is None:
        raise DomainError(_("Choisissez la demande qui signale déjà ce problème."))
    master = WorkRequest.objects.select_for_update().get(pk=into.pk)
    if master.pk == current.pk:
        raise DomainError(_("Une demande ne peut pas être fusionnée avec elle-même."))
    if master.organisation_id != current.organisation_id:
        raise DomainError(_("Seules les demandes d'une même collectivité peuvent être fusionnées."))
    if master.status in (Status.MERGED, Status.REJECTED):
        raise DomainError(
            _("La demande %(reference)s est elle-même %(status)s : choisissez-en une autre.")
            % {"reference": master.reference, "status": master.get_status_display().lower()}
        )
    now = timezone.now()
    rollups.follow(requests=_with_duplicates(current))
    _save_triage(
        current,
        {"status": Status.MERGED, "duplicate_of": master, "work_order": master.work_order, "triaged_by": access.user},
        now,
    )
    suggestion_decide(work_request=current, outcome=Suggestion.Outcome.MERGED, actor=access.user)
    WorkRequest.objects.filter(duplicate_of=current).update(
        duplicate_of=master, work_order=master.work_order, updated_at=now
    )
    audit_record(
        actor=access.user,
        action="work_request.merge",
        target=current,
        message=f"{current.reference} → {master.reference}",
        data={"into": str(master.pk)},
    )
    _notify_followers(
        current,
        subject=_("Demande %(reference)s regroupée avec %(master)s")
        % {"reference": current.reference, "master": master.reference},
        template="intake/emails/merged.txt",
        site_url=site_url,
    )
    _copy_back(work_request, current)
    return work_request


def _with_duplicates(current: WorkRequest) -> list:
    """The request and those merged into it: its triage changes them all (the dashboards count them)."""
    return [current.pk, *WorkRequest.objects.filter(duplicate_of=current).values_list("pk", flat=True)]


def _save_triage(current: WorkRequest, fields: dict, now: datetime | None = None) -> None:
    fields = {**fields, "triaged_at": now or timezone.now()}
    for name, value in fields.items():
        setattr(current, name, value)
    current.save(update_fields=[*fields, "updated_at"])


def _copy_back(original: WorkRequest, current: WorkRequest) -> None:
    """Give the caller's instance the saved state (it was re-read under a lock)."""
    for field in WorkRequest._meta.concrete_fields:
        setattr(original, field.attname, getattr(current, field.attname))
    for name in ("work_order", "duplicate_of", "trade", "triaged_by"):
        if WorkRequest._meta.get_field(name).is_cached(current):
            setattr(original, name, getattr(current, name))


# --- E-mails to the requester -------------------------------------------------------------------


def _requester_label(work_request: WorkRequest) -> str:
    if work_request.requester_name:
        return work_request.requester_name
    user = work_request.requested_by
    return str(user) if user is not None else _("un demandeur")


def requester_email(work_request: WorkRequest) -> str:
    """Where the requester hears back: the address given at filing, else the account's."""
    if work_request.requester_email:
        return work_request.requester_email
    user = work_request.requested_by
    return (user.email or "") if user is not None else ""


def _notify_followers(current: WorkRequest, *, subject: str, template: str, site_url: str) -> None:
    """E-mail the request's requester, and those of the requests merged into it."""
    _mail_on_commit(current, subject=subject, template=template, context={}, site_url=site_url)
    duplicates = WorkRequest.objects.filter(duplicate_of=current).select_related(
        "organisation", "requested_by", "duplicate_of__work_order__team", "duplicate_of__work_order__report"
    )
    for duplicate in duplicates:
        _mail_on_commit(
            duplicate,
            subject=_("Demande %(reference)s : du nouveau") % {"reference": duplicate.reference},
            template="intake/emails/master_update.txt",
            context={},
            site_url=site_url,
        )


def _mail_on_commit(work_request: WorkRequest, *, subject: str, template: str, context: dict, site_url: str) -> None:
    """Render the message now (inside the transaction) and send it once the transaction commits."""
    recipient = requester_email(work_request)
    if not recipient:
        return
    organisation = work_request.organisation
    follow_url = site_url.rstrip("/") + reverse("intake:detail", kwargs={"pk": work_request.pk}) if site_url else ""
    body = render_to_string(
        template,
        {
            "request": work_request,
            "organisation": organisation,
            "progress": request_progress(work_request),
            "requester": _requester_label(work_request),
            "follow_url": follow_url,
            **context,
        },
    )
    message = EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient],
        reply_to=[organisation.email] if organisation.email else None,
    )

    def send() -> None:
        message.send()

    transaction.on_commit(send, robust=True)
