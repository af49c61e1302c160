"""Writes for Open311: API keys (create, revoke), the services an organisation publishes, and the
filing of a request that arrives through Open311 — by the intake service, like any other request."""

import hashlib
import math
import secrets
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from patrimoine.assets.models import AssetStatus, Building
from patrimoine.core.errors import DomainError
from patrimoine.core.services import audit_record
from patrimoine.intake.models import Urgency, WorkRequest
from patrimoine.intake.services import work_request_create
from patrimoine.open311.models import ApiKey, Service, ServiceRequest
from patrimoine.organisations.access import Access
from patrimoine.organisations.models import Membership, Organisation, Trade

KEY_PREFIX_LENGTH = 8
NEAREST_BUILDING_METRES = 75

# The request types an organisation publishes when it opens Open311: what citizens report, each
# with the trade that handles it. « autre » has no trade: it is suggested from the description.
DEFAULT_SERVICES: list[tuple[str, str, str, str | None, str]] = [
    ("eclairage", "Éclairage, électricité", "Bâtiments", "electricite", "lumière, ampoule, prise, courant"),
    ("fuite-eau", "Fuite d'eau, sanitaires", "Bâtiments", "plomberie", "eau, robinet, toilettes, wc"),
    ("chauffage", "Chauffage, ventilation", "Bâtiments", "cvc", "radiateur, froid, chaudière, vmc"),
    ("porte-serrure", "Porte, serrure, portail", "Bâtiments", "serrurerie", "clé, verrou, portail"),
    ("fenetre-volet", "Fenêtre, volet, store", "Bâtiments", "menuiserie", "fenêtre, volet, store"),
    ("vitre-cassee", "Vitre cassée", "Bâtiments", "vitrerie", "vitre, verre, carreau"),
    ("toiture", "Toiture, gouttière, infiltration", "Bâtiments", "couverture", "toit, tuile, gouttière"),
    ("mur-sol", "Mur, sol, fissure", "Bâtiments", "maconnerie", "fissure, carrelage, dalle"),
    ("tag-graffiti", "Tag, graffiti, peinture", "Propreté", "peinture", "tag, graffiti"),
    ("proprete", "Propreté, déchets", "Propreté", "nettoyage", "déchets, saleté"),
    ("securite-incendie", "Extincteur, alarme incendie", "Sécurité", "securite-incendie", "extincteur, alarme"),
    ("espaces-verts", "Arbre, haie, pelouse", "Espaces publics", "espaces-verts", "arbre, branche, tonte"),
    ("voirie", "Trottoir, chaussée, nid-de-poule", "Espaces publics", "voirie", "trottoir, route, trou"),
    ("autre", "Autre problème", "Autres", None, ""),
]


def _hash(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode("utf-8")).hexdigest()


# --- API keys ------------------------------------------------------------------------------------


@transaction.atomic
def api_key_create(*, access: Access, name: str) -> tuple[ApiKey, str]:
    """Create a key for a client application; return it with the key itself, shown only once."""
    access.require("open311.manage")
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Nommez l'application qui utilisera la clé."))
    if len(name) > 100:
        raise DomainError(_("Le nom de l'application est trop long (100 caractères au plus)."))
    organisation = access.organisation
    if ApiKey.objects.filter(organisation=organisation, name=name).exists():
        raise DomainError(_("Une clé porte déjà ce nom : choisissez-en un autre."))
    raw_key = secrets.token_urlsafe(32)
    api_key = ApiKey.objects.create(
        organisation=organisation,
        name=name,
        prefix=raw_key[:KEY_PREFIX_LENGTH],
        key_hash=_hash(raw_key),
        created_by=access.user,
    )
    audit_record(actor=access.user, action="open311.key_create", target=api_key, message=str(api_key))
    return api_key, raw_key


@transaction.atomic
def api_key_revoke(*, access: Access, api_key: ApiKey) -> ApiKey:
    access.require("open311.manage", api_key)
    if not api_key.is_active:
        raise DomainError(_("Cette clé est déjà révoquée."))
    api_key.is_active = False
    api_key.revoked_at = timezone.now()
    api_key.save(update_fields=["is_active", "revoked_at", "updated_at"])
    audit_record(actor=access.user, action="open311.key_revoke", target=api_key, message=str(api_key))
    return api_key


def api_key_check(raw_key: str, organisation: Organisation) -> ApiKey | None:
    """The active key of `organisation` matching `raw_key`; None otherwise.

    The lookup is by hash across organisations (the key says nothing of its owner), then the key
    must belong to the jurisdiction the request is for."""
    if not raw_key or len(raw_key) > 200:
        return None
    with scopes_disabled():
        api_key = ApiKey.objects.filter(key_hash=_hash(raw_key), is_active=True).first()
        if api_key is None or api_key.organisation_id != organisation.pk:
            return None
    return api_key


# --- Services ------------------------------------------------------------------------------------


@transaction.atomic
def services_publish_defaults(*, access: Access) -> int:
    """Publish the default request types for the user's organisation; existing codes are kept."""
    access.require("open311.manage")
    organisation = access.organisation
    trades = {trade.code: trade for trade in Trade.objects.all()}
    existing = set(Service.objects.filter(organisation=organisation).values_list("code", flat=True))
    created = 0
    for position, (code, name, group, trade_code, keywords) in enumerate(DEFAULT_SERVICES, start=1):
        if code in existing:
            continue
        Service.objects.create(
            organisation=organisation,
            code=code,
            name=name,
            group=group,
            keywords=keywords,
            trade=trades.get(trade_code) if trade_code else None,
            position=position,
        )
        created += 1
    if created:
        audit_record(
            actor=access.user,
            action="open311.services_publish",
            target=organisation,
            organisation=organisation,
            message=_("%(n)d services Open311 publiés") % {"n": created},
        )
    return created


SERVICE_FIELDS = ("code", "name", "description", "group", "keywords", "trade", "type", "notice", "position")


@transaction.atomic
def service_save(*, access: Access, service: Service | None, data: dict) -> Service:
    """Create a service for the user's organisation, or change one; the code stays unique in it."""
    if service is None:
        access.require("open311.manage")
        service = Service(organisation=access.organisation)
    else:
        access.require("open311.manage", service)
    code = data["code"]
    if Service.objects.filter(organisation=service.organisation, code=code).exclude(pk=service.pk).exists():
        raise DomainError(_("Le code « %(code)s » est déjà celui d'un autre service.") % {"code": code})
    created = service.pk is None or service._state.adding
    for name in SERVICE_FIELDS:
        setattr(service, name, data[name])
    service.save()
    audit_record(
        actor=access.user,
        action="open311.service_create" if created else "open311.service_change",
        target=service,
        message=service.code,
    )
    return service


@transaction.atomic
def service_toggle(*, access: Access, service: Service) -> Service:
    """Publish a service, or withdraw it (its past requests stay readable)."""
    access.require("open311.manage", service)
    service.is_active = not service.is_active
    service.save(update_fields=["is_active", "updated_at"])
    audit_record(
        actor=access.user,
        action="open311.service_publish" if service.is_active else "open311.service_withdraw",
        target=service,
        message=service.code,
    )
    return service


# --- Filing a request ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Submission:
    """What a client sent, already checked for form (see forms.Open311RequestForm)."""

    description: str
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    address_string: str = ""
    building_code: str = ""
    urgency: str = Urgency.NORMAL
    media_url: str = ""
    name: str = ""
    email: str = ""
    phone: str = ""


def client_access(organisation: Organisation) -> Access:
    """An Open311 client files as an anonymous requester of the jurisdiction, and nothing more."""
    ids = frozenset({organisation.pk})
    return Access(
        user=None,
        organisation=organisation,
        role=Membership.Role.REQUESTER,
        read_org_ids=ids,
        write_org_ids=ids,
    )


def building_for(organisation: Organisation, submission: Submission) -> Building | None:
    """The building the report is about: the code given (attribute or address_id), else the
    organisation's building nearest to the point, if one lies within 75 m."""
    buildings = Building.objects.filter(organisation=organisation).exclude(status=AssetStatus.ARCHIVED)
    if submission.building_code:
        building = buildings.filter(code=submission.building_code).first()
        if building is None:
            raise DomainError(
                _("Bâtiment « %(code)s » inconnu dans cette collectivité.") % {"code": submission.building_code[:40]}
            )
        return building
    if submission.latitude is None:
        return None
    lat, lon = float(submission.latitude), float(submission.longitude)
    dlat = NEAREST_BUILDING_METRES / 111_000
    dlon = dlat / max(math.cos(math.radians(lat)), 0.01)
    near = buildings.filter(
        latitude__range=(Decimal(str(lat - dlat)), Decimal(str(lat + dlat))),
        longitude__range=(Decimal(str(lon - dlon)), Decimal(str(lon + dlon))),
    )
    best, best_distance = None, NEAREST_BUILDING_METRES
    for building in near[:50]:
        distance = _metres(lat, lon, float(building.latitude), float(building.longitude))
        if distance <= best_distance:
            best, best_distance = building, distance
    return best


def _metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine distance in metres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(a))


@transaction.atomic
def open311_request_create(
    *, organisation: Organisation, service: Service, api_key: ApiKey | None, submission: Submission
) -> ServiceRequest:
    """File the work request (channel « citoyen ») through the intake service, then record its
    Open311 service, client and token. The requester's e-mail, if given, receives the usual
    acknowledgement; device and account identifiers are not kept."""
    if service.organisation_id != organisation.pk or not service.is_active:
        raise DomainError(_("Service inconnu dans cette collectivité."))
    building = building_for(organisation, submission)
    location_text = submission.address_string
    if not location_text and submission.latitude is not None:
        location_text = _("Position GPS %(lat)s, %(long)s") % {"lat": submission.latitude, "long": submission.longitude}
    work_request = work_request_create(
        access=client_access(organisation),
        description=submission.description or service.name,
        urgency=submission.urgency,
        building=building,
        location_text=location_text,
        channel=WorkRequest.Channel.CITIZEN,
        requester_name=submission.name,
        requester_email=submission.email,
        requester_phone=submission.phone,
        latitude=submission.latitude,
        longitude=submission.longitude,
        suggested_trade=service.trade,
    )
    for _attempt in range(3):
        try:
            with transaction.atomic():
                service_request = ServiceRequest.objects.create(
                    organisation=organisation,
                    work_request=work_request,
                    service=service,
                    api_key=api_key,
                    token=secrets.token_urlsafe(18),
                    media_url=submission.media_url,
                )
            break
        except IntegrityError:  # a token collision: draw again
            continue
    else:
        raise DomainError(_("La demande n'a pas pu être enregistrée : réessayez."))
    if api_key is not None:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=timezone.now())
    audit_record(
        actor=None,
        action="open311.request",
        target=work_request,
        message=f"{work_request.reference} ← {service.code}",
        data={"service": service.code, "api_key": api_key.prefix if api_key else None},
    )
    return service_request
