"""Writes of the portal: a citizen's report (online or at a counter), a « +1 », a public reply, a
call-back done, a receipt sent (e-mail or SMS), a citizen identity signed in or forgotten. Requests are
filed through `intake.services.work_request_create`; this app only adds the public side (token,
contact, consent) in the same transaction."""

import io
from decimal import Decimal

import sms
from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled
from PIL import Image, ImageOps, UnidentifiedImageError

from patrimoine.core.errors import DomainError, PermissionRefused
from patrimoine.core.services import audit_record
from patrimoine.intake.models import WorkRequest
from patrimoine.intake.services import work_request_create
from patrimoine.organisations.access import Access
from patrimoine.organisations.models import Trade
from patrimoine.portal import texting
from patrimoine.portal.categories import category_of
from patrimoine.portal.models import CitizenIdentity, CitizenMessage, PublicReply, PublicReport
from patrimoine.portal.notify import citizen_notify, tracking_url
from patrimoine.reporting import rollups

PHOTO_MAX_PX = 1600
PHOTO_QUALITY = 80
THROTTLE_POSTS = 10  # public POSTs per address and window
THROTTLE_WINDOW_S = 600


def throttle_allows(key: str, *, limit: int = THROTTLE_POSTS, window: int = THROTTLE_WINDOW_S) -> bool:
    """Count one public POST for `key` (e.g. the visitor's IP); False once the window's limit is reached."""
    cache_key = f"portal-throttle:{key}"
    if cache.add(cache_key, 1, timeout=window):
        return True
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=window)
        return True
    return count <= limit


def photo_resize(uploaded: UploadedFile) -> UploadedFile:
    """A phone photo made light: turned upright, at most 1600 px, JPEG, metadata (GPS!) dropped."""
    try:
        image = Image.open(uploaded)
        image.load()
    except (UnidentifiedImageError, OSError) as error:
        raise DomainError(
            _("Le fichier « %(name)s » n'est pas une photo : joignez une image JPEG, PNG ou WebP.")
            % {"name": uploaded.name}
        ) from error
    image = ImageOps.exif_transpose(image).convert("RGB")
    image.thumbnail((PHOTO_MAX_PX, PHOTO_MAX_PX))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=PHOTO_QUALITY, optimize=True)
    stem = (uploaded.name or "photo").rsplit(".", 1)[0][:80] or "photo"
    return SimpleUploadedFile(f"{stem}.jpg", buffer.getvalue(), content_type="image/jpeg")


def _contact_checked(
    *, name: str, email: str, phone: str, address: str, consent: bool, channel: str, sms_consent: bool = False
) -> dict:
    name, email, phone, address = (v.strip() for v in (name or "", email or "", phone or "", address or ""))
    if sms_consent and texting.french_mobile(phone) is None:
        raise DomainError(str(texting.MOBILE_ERROR))
    if channel not in PublicReport.Channel.values:
        raise DomainError(_("Choisissez comment la personne souhaite être recontactée."))
    if (name or email or phone or address) and not consent:
        raise DomainError(_("Cochez la case d'accord pour que vos coordonnées soient gardées, ou laissez-les vides."))
    needs = {
        PublicReport.Channel.EMAIL: (email, _("Indiquez l'adresse électronique pour une réponse par courriel.")),
        PublicReport.Channel.PHONE: (phone, _("Indiquez le numéro de téléphone pour être rappelé(e).")),
        PublicReport.Channel.POST: (address, _("Indiquez l'adresse postale pour une réponse par courrier.")),
    }
    if channel in needs and not needs[channel][0]:
        raise DomainError(needs[channel][1])
    if not consent:
        channel = PublicReport.Channel.NONE
    return {
        "contact_name": name[:150],
        "contact_email": email[:254],
        "contact_phone": phone[:30],
        "contact_address": address[:300],
        "contact_consent": bool(consent),
        "preferred_channel": channel,
        "sms_consent": bool(consent and sms_consent and channel != PublicReport.Channel.NONE),
    }


@transaction.atomic
def public_report_create(
    *,
    access: Access,
    category: str,
    description: str,
    building=None,
    location_text: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    photo: UploadedFile | None = None,
    contact_name: str = "",
    contact_email: str = "",
    contact_phone: str = "",
    contact_address: str = "",
    contact_consent: bool = False,
    preferred_channel: str = "",
    sms_consent: bool = False,
    urgency: str = "normale",
    citizen: CitizenIdentity | None = None,
) -> PublicReport:
    """File a citizen's report: online (public access) or at a counter (an agent's access, channel « guichet »).

    The request is filed by intake's service (reference, checks, audit); the report keeps the
    tracking token and the person's contact — only with consent. The citizen's acknowledgement
    (with the tracking link) leaves on commit when an e-mail address was given. Filed by a signed-in
    citizen (`citizen`), the report is linked to that identity (« Mes signalements »)."""
    chosen = category_of(category)
    if chosen is None:
        raise DomainError(_("Choisissez ce qui ne va pas : une des catégories proposées."))
    at_counter = access.user is not None
    if at_counter and not access.has("portal.counter"):
        raise PermissionRefused(_("Votre rôle ne permet pas d'enregistrer une demande à l'accueil."))
    if not preferred_channel:
        preferred_channel = PublicReport.Channel.EMAIL if contact_email.strip() else PublicReport.Channel.NONE
        if not contact_email.strip() and contact_phone.strip():
            preferred_channel = PublicReport.Channel.PHONE
    contact = _contact_checked(
        name=contact_name,
        email=contact_email,
        phone=contact_phone,
        address=contact_address,
        consent=contact_consent,
        channel=preferred_channel,
        sms_consent=sms_consent,
    )
    if (latitude is None) != (longitude is None):
        raise DomainError(_("La position est incomplète : indiquez l'adresse à la place."))
    if latitude is not None and not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise DomainError(_("La position indiquée n'existe pas : indiquez l'adresse à la place."))
    if not location_text.strip() and building is None and latitude is not None:
        location_text = _("Position indiquée sur la carte (%(lat)s, %(lon)s)") % {"lat": latitude, "lon": longitude}
    description = (description or "").strip()
    work_request = work_request_create(
        access=access,
        description=f"{chosen.label} : {description}" if description else "",
        urgency=urgency,
        building=building,
        location_text=location_text,
        photos=[photo_resize(photo)] if photo else [],
        channel=WorkRequest.Channel.COUNTER if at_counter else WorkRequest.Channel.CITIZEN,
        requester_name=contact["contact_name"],
    )
    extra = {}
    if latitude is not None:
        extra.update(latitude=latitude.quantize(Decimal("0.000001")), longitude=longitude.quantize(Decimal("0.000001")))
    if chosen.trade_code and (trade := Trade.objects.filter(code=chosen.trade_code).first()):
        extra["suggested_trade"] = trade
    if extra:
        with rollups.tracking(requests=[work_request.pk]):  # the trade of the chosen category counts
            WorkRequest.objects.filter(pk=work_request.pk).update(**extra)
        for name, value in extra.items():
            setattr(work_request, name, value)
    report = PublicReport.objects.create(
        organisation=work_request.organisation,
        work_request=work_request,
        category=chosen.code,
        filed_by=access.user if at_counter else None,
        citizen=None if at_counter else citizen,
        last_news_at=timezone.now(),
        **contact,
    )
    audit_record(
        actor=access.user,
        action="public_report.create",
        target=report,
        message=work_request.reference,
        data={
            "category": chosen.code,
            "channel": contact["preferred_channel"],
            "counter": at_counter,
            "signed_in": report.citizen_id is not None,
        },
    )
    citizen_notify(work_request, "received", report=report)
    return report


@transaction.atomic
def public_report_support(*, access: Access, report: PublicReport) -> PublicReport:
    """« Ajoutez votre voix »: one more person reports the same open problem (no new request)."""
    if report.organisation_id not in access.write_org_ids:
        raise PermissionRefused(_("Ce signalement appartient à une autre collectivité."))
    PublicReport.objects.filter(pk=report.pk).update(supporters=F("supporters") + 1)
    audit_record(
        actor=access.user, action="public_report.support", target=report, message=report.work_request.reference
    )
    report.refresh_from_db(fields=["supporters"])
    return report


@transaction.atomic
def public_reply_create(*, access: Access, work_request: WorkRequest, text: str) -> PublicReply:
    """A reply from the service to the citizen: on the tracking page, and by e-mail with consent."""
    if not access.can("portal.reply", work_request):
        raise PermissionRefused(_("Votre rôle ne permet pas de répondre à ce demandeur."))
    text = (text or "").strip()
    if not text:
        raise DomainError(_("Écrivez la réponse : le demandeur la lira sur sa page de suivi."))
    if len(text) > 2000:
        raise DomainError(_("La réponse est trop longue (2 000 caractères au plus)."))
    report = PublicReport.objects.filter(work_request=work_request).first()
    if report is None:
        raise DomainError(_("Cette demande n'a pas été faite par le portail ou l'accueil : pas de page de suivi."))
    reply = PublicReply.objects.create(organisation=report.organisation, report=report, text=text, author=access.user)
    audit_record(actor=access.user, action="public_reply.create", target=report, message=text[:120])
    citizen_notify(work_request, "reply", report=report, reply=reply)
    return reply


@transaction.atomic
def call_back_done(*, access: Access, report: PublicReport) -> PublicReport:
    if not access.can("portal.counter", report):
        raise PermissionRefused(_("Votre rôle ne permet pas cette action ici."))
    report.called_back_at = timezone.now()
    report.save(update_fields=["called_back_at", "updated_at"])
    audit_record(actor=access.user, action="public_report.call_back", target=report)
    return report


def receipt_send(*, access: Access, report: PublicReport) -> None:
    """E-mail the counter's receipt (number and tracking link) to the person, who agreed to it."""
    if not access.can("portal.counter", report):
        raise PermissionRefused(_("Votre rôle ne permet pas cette action ici."))
    if not (report.contact_email and report.contact_consent):
        raise DomainError(_("La personne n'a pas donné d'adresse électronique (ou pas son accord) : imprimez le reçu."))
    work_request = report.work_request
    body = render_to_string(
        "portal/emails/receipt.txt",
        {"report": report, "request": work_request, "organisation": report.organisation, "url": tracking_url(report)},
    )
    EmailMessage(
        subject=_("Votre demande %(reference)s") % {"reference": work_request.reference},
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[report.contact_email],
        reply_to=[report.organisation.email] if report.organisation.email else None,
    ).send()
    with transaction.atomic():
        CitizenMessage.objects.create(
            organisation=report.organisation,
            report=report,
            channel=CitizenMessage.Channel.EMAIL,
            recipient=_masked_email(report.contact_email),
            outcome=CitizenMessage.Outcome.SENT,
            sent_by=access.user,
        )
        audit_record(
            actor=access.user, action="public_report.receipt_sent", target=report, data={"channel": "courriel"}
        )


def _masked_email(email: str) -> str:
    local, _at, domain = email.partition("@")
    return f"{local[:1]}•••@{domain}"


def receipt_sms_number(report: PublicReport) -> str | None:
    """The mobile number (E.164) the receipt may be texted to, or None: the person must have agreed to
    be contacted and to SMS, not have asked for no contact at all, and have given a French mobile."""
    if not (report.contact_consent and report.sms_consent):
        return None
    if report.preferred_channel == PublicReport.Channel.NONE:
        return None
    return texting.french_mobile(report.contact_phone)


def receipt_send_sms(*, access: Access, report: PublicReport) -> CitizenMessage:
    """Text the receipt (reference and tracking link) to the person who agreed to SMS.

    Refusals change nothing (DomainError). Once tried, the sending is in the request's history
    (`CitizenMessage`, number masked) and the audit trail, sent or failed (the gateway's answer)."""
    if not access.can("portal.counter", report):
        raise PermissionRefused(_("Votre rôle ne permet pas cette action ici."))
    if not (report.contact_consent and report.sms_consent) or report.preferred_channel == PublicReport.Channel.NONE:
        raise DomainError(
            _("La personne n'a pas accepté de recevoir des SMS : imprimez le reçu ou envoyez-le par courriel.")
        )
    number = texting.french_mobile(report.contact_phone)
    if number is None:
        raise DomainError(str(texting.MOBILE_ERROR))
    work_request = report.work_request
    text = texting.receipt_text(
        organisation_name=report.organisation.name, reference=work_request.reference, url=tracking_url(report)
    )
    outcome, detail = CitizenMessage.Outcome.SENT, ""
    try:
        sms.Message(text, settings.DEFAULT_FROM_SMS, [number]).send()
    except texting.SmsGatewayError as error:
        outcome, detail = CitizenMessage.Outcome.FAILED, str(error)[:200]
    with transaction.atomic():
        message = CitizenMessage.objects.create(
            organisation=report.organisation,
            report=report,
            channel=CitizenMessage.Channel.SMS,
            recipient=texting.masked(number),
            outcome=outcome,
            detail=detail,
            sent_by=access.user,
        )
        audit_record(
            actor=access.user,
            action="public_report.receipt_sms",
            target=report,
            message=f"{message.recipient} — {message.get_outcome_display()}",
            data={"channel": "sms", "outcome": outcome, "length": len(text)},
        )
    return message


# --- Citizen identity (optional sign-in through the citizen identity provider) ------------------


def citizen_identity_sign_in(*, issuer: str, claims: dict) -> CitizenIdentity:
    """The identity of a person the provider vouched for: found by issuer + hashed `sub` (never by
    e-mail), created on first sign-in; keeps only the e-mail and the given name, if sent."""
    subject = str(claims.get("sub") or "")
    if not issuer or not subject:
        raise DomainError(_("Le fournisseur d'identité n'a pas donné d'identifiant : connexion refusée."))
    email = str(claims.get("email") or "")[:254]
    identity, _created = CitizenIdentity.objects.update_or_create(
        issuer=issuer,
        subject_hash=CitizenIdentity.hash_subject(subject),
        defaults={
            "email": email if "@" in email else "",
            "given_name": str(claims.get("given_name") or "")[:150],
            "last_login_at": timezone.now(),
        },
    )
    return identity


@transaction.atomic
def citizen_identity_forget(*, identity: CitizenIdentity, reason: str = "demande") -> int:
    """Delete the identity (the person's request, or the retention period): its reports stay, unlinked
    and still followed by their tracking links. Returns how many reports were unlinked."""
    with scopes_disabled():  # the person's reports, in every organisation
        count = PublicReport.objects.filter(citizen=identity).update(citizen=None)
    identity_id = str(identity.pk)
    identity.delete()
    audit_record(
        actor=None,
        action="citizen_identity.delete",
        target_type="portal.citizenidentity",
        target_id=identity_id,
        message=_("Identité citoyenne supprimée (%(reason)s), %(n)s signalements détachés")
        % {"reason": reason, "n": count},
        data={"reports": count, "reason": reason},
    )
    return count


def tracking_path(report: PublicReport) -> str:
    return reverse("portal:track", kwargs={"token": report.token})
