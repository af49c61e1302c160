"""Personal data (RGPD): what is kept, for how long, and a person's rights of access and erasure.

`PERSONAL_DATA` is the one declaration of where personal data lives: the registre des traitements
page is generated from it, the retention job and the export/erasure services walk it. Retention
periods come from settings (`PERSONAL_DATA_RETENTION_DAYS`, each overridable from the environment).
Anonymising blanks the identifying fields and keeps the row (dates, building, channel, status,
costs), so every statistic stays true.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_scopes import scopes_disabled

from patrimoine.core.services import audit_record
from patrimoine.intake.models import WorkRequest
from patrimoine.organisations.models import Organisation

REQUESTER_FIELDS = ("requester_name", "requester_email", "requester_phone")
CLOSED_STATUSES = (WorkRequest.Status.ACCEPTED, WorkRequest.Status.REJECTED, WorkRequest.Status.MERGED)


@dataclass(frozen=True)
class Processing:
    """One line of the registre des traitements (article 30 of the GDPR)."""

    code: str
    name: str
    purpose: str
    legal_basis: str
    subjects: str
    model: str  # app_label.ModelName holding the data
    fields: tuple[str, ...]
    recipients: str
    retention_key: str | None  # key of PERSONAL_DATA_RETENTION_DAYS (enforced by the retention job)
    retention_note: str = ""  # when there is no automatic period: how long, and why

    @property
    def retention_days(self) -> int | None:
        return settings.PERSONAL_DATA_RETENTION_DAYS.get(self.retention_key) if self.retention_key else None


PERSONAL_DATA: tuple[Processing, ...] = (
    Processing(
        code="demandes",
        name=gettext_lazy("Demandes d'intervention"),
        purpose=gettext_lazy("Recevoir, suivre et informer le demandeur du traitement de son signalement."),
        legal_basis=gettext_lazy("Mission d'intérêt public (art. 6.1.e RGPD) : entretien du patrimoine communal."),
        subjects=gettext_lazy("Citoyens et usagers, agents qui signalent un problème."),
        model="intake.WorkRequest",
        fields=REQUESTER_FIELDS,
        recipients=gettext_lazy("Agents habilités de la collectivité et de l'équipe mutualisée qui intervient."),
        retention_key="work_request_requester",
    ),
    Processing(
        code="comptes",
        name=gettext_lazy("Comptes des agents et prestataires"),
        purpose=gettext_lazy("Authentifier les utilisateurs, attribuer les interventions, tracer les actions."),
        legal_basis=gettext_lazy("Mission d'intérêt public et obligation de sécurité (art. 6.1.e et 32 RGPD)."),
        subjects=gettext_lazy("Agents de la collectivité, de l'EPCI, salariés des prestataires."),
        model="accounts.User",
        fields=("username", "first_name", "last_name", "email"),
        recipients=gettext_lazy("Administrateurs de l'instance."),
        retention_key=None,
        retention_note=gettext_lazy(
            "Tant que la personne a un rôle dans une collectivité ; compte désactivé au départ."
        ),
    ),
    Processing(
        code="identites_citoyennes",
        name=gettext_lazy("Connexion des citoyens au portail de signalement"),
        purpose=gettext_lazy(
            "Permettre à une personne qui se connecte (facultatif, fournisseur d'identité citoyen) de "
            "retrouver ses signalements et de pré-remplir son adresse électronique."
        ),
        legal_basis=gettext_lazy("Consentement de la personne, qui choisit de se connecter (art. 6.1.a RGPD)."),
        subjects=gettext_lazy("Citoyens qui se connectent au portail."),
        model="portal.CitizenIdentity",
        fields=("subject_hash", "email", "given_name", "last_login_at"),
        recipients=gettext_lazy("Personne d'autre : ni les agents ni les collectivités ne consultent ces identités."),
        retention_key="citizen_identity",
        retention_note=gettext_lazy(
            "Supprimée automatiquement (chaque jour) après une période sans connexion, ou plus tôt par la "
            "personne elle-même (« Supprimer mon identifiant ») ; ses signalements restent, détachés"
        ),
    ),
    Processing(
        code="journal",
        name=gettext_lazy("Journal d'audit"),
        purpose=gettext_lazy("Prouver qui a fait quoi, détecter et analyser les incidents de sécurité."),
        legal_basis=gettext_lazy("Obligation de sécurité (art. 32 RGPD)."),
        subjects=gettext_lazy("Utilisateurs de l'application."),
        model="core.AuditEntry",
        fields=("actor_name", "ip", "user_agent"),
        recipients=gettext_lazy("Administrateurs de la collectivité, DSI de l'EPCI."),
        retention_key=None,
        retention_note=gettext_lazy(
            "Durée de vie de l'instance : le journal est chaîné et ne se modifie pas ; il ne contient ni "
            "courriel ni téléphone de demandeur."
        ),
    ),
)


def registry_rows() -> list[dict]:
    """The registre des traitements, generated from the declaration and the models' field names."""
    from django.apps import apps

    rows = []
    for processing in PERSONAL_DATA:
        model = apps.get_model(processing.model)
        rows.append(
            {
                "processing": processing,
                "model_name": model._meta.verbose_name_plural,
                "fields": [str(model._meta.get_field(name).verbose_name) for name in processing.fields],
                "retention_days": processing.retention_days,
            }
        )
    return rows


# --- Retention ---------------------------------------------------------------------------------------


def _blank_requesters(requests) -> int:
    """Blank the identity fields; `save` also refolds `search_text`, which held the name."""
    count = 0
    for request in requests.only("pk", "reference", "description", "location_text", *REQUESTER_FIELDS):
        for name in REQUESTER_FIELDS:
            setattr(request, name, "")
        request.save(update_fields=REQUESTER_FIELDS)
        count += 1
    return count


def _has_requester_data() -> Q:
    return ~Q(requester_name="") | ~Q(requester_email="") | ~Q(requester_phone="")


def anonymise_expired_requests(*, now=None) -> dict[int, int]:
    """Blank the requester's identity on closed requests older than the retention period.

    Returns {organisation id: rows anonymised}; one audit entry per organisation.
    """
    now = now or timezone.now()
    days = settings.PERSONAL_DATA_RETENTION_DAYS["work_request_requester"]
    limit = now - timedelta(days=days)
    done: dict[int, int] = {}
    with scopes_disabled(), transaction.atomic():
        expired = WorkRequest.objects.filter(_has_requester_data(), status__in=CLOSED_STATUSES, created_at__lt=limit)
        org_ids = sorted(set(expired.values_list("organisation_id", flat=True)))
        for org_id in org_ids:
            count = _blank_requesters(expired.filter(organisation_id=org_id))
            organisation = Organisation.objects.get(pk=org_id)
            audit_record(
                actor=None,
                action="privacy.retention_anonymise",
                target=organisation,
                organisation=organisation,
                message=_("%(n)s demandes anonymisées (plus de %(days)s jours)") % {"n": count, "days": days},
                data={"rows": count, "before": limit.isoformat()},
            )
            done[org_id] = count
    return done


def delete_expired_citizen_identities(*, now=None) -> int:
    """Delete the citizen identities unused for longer than the retention period (the same code path
    as the person's own « Supprimer mon identifiant »: their reports stay, unlinked)."""
    from patrimoine.portal.models import CitizenIdentity
    from patrimoine.portal.services import citizen_identity_forget

    now = now or timezone.now()
    days = settings.PERSONAL_DATA_RETENTION_DAYS.get("citizen_identity")
    if not days:  # no period configured: nothing is deleted automatically
        return 0
    expired = CitizenIdentity.objects.filter(last_login_at__lt=now - timedelta(days=days))
    count = 0
    for identity in expired.iterator():
        citizen_identity_forget(identity=identity, reason=_("durée de conservation dépassée"))
        count += 1
    return count


# --- A person's rights ---------------------------------------------------------------------------------


def _person_requests(access, email: str):
    access.require("privacy.manage")
    email = email.strip()
    return WorkRequest.objects.filter(organisation_id__in=access.write_org_ids).filter(
        Q(requester_email__iexact=email) | Q(requested_by__email__iexact=email)
    )


def person_data_export(*, access, email: str) -> dict:
    """Everything the administrator's organisation holds about the person with this e-mail address."""
    requests = _person_requests(access, email).select_related("building").order_by("created_at")
    data = {
        "courriel": email.strip(),
        "collectivite": access.organisation.name,
        "exporte_le": timezone.now().isoformat(),
        "demandes": [
            {
                "numero": r.reference,
                "deposee_le": r.created_at.isoformat(),
                "canal": r.get_channel_display(),
                "statut": r.get_status_display(),
                "nom": r.requester_name,
                "courriel": r.requester_email,
                "telephone": r.requester_phone,
                "batiment": r.building.name if r.building else "",
                "lieu": r.location_text,
                "description": r.description,
            }
            for r in requests
        ],
    }
    audit_record(
        actor=access.user,
        action="privacy.export",
        target=access.organisation,
        organisation=access.organisation,
        message=_("Export des données d'une personne"),
        data={"requests": len(data["demandes"])},
        kind="read",
    )
    return data


@transaction.atomic
def person_data_erase(*, access, email: str) -> int:
    """Anonymise the requests this person filed with the administrator's organisation(s)."""
    # The citizen's identity given with a request; an agent's account is managed with the accounts.
    requests = _person_requests(access, email).filter(requester_email__iexact=email.strip())
    count = _blank_requesters(requests)
    audit_record(
        actor=access.user,
        action="privacy.erase",
        target=access.organisation,
        organisation=access.organisation,
        message=_("Effacement des données d'une personne : %(n)s demandes anonymisées") % {"n": count},
        data={"rows": count},
    )
    return count
