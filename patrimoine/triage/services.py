"""Writes of the triage assistant: record a suggestion, record the decision, switch AI, train.

Filing and triage (intake) call `suggestion_record` and `suggestion_decide` explicitly, in their own
transaction. Training runs in the job worker (`tasks.train_organisation_model`).
"""

import time

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from patrimoine.core.errors import PermissionRefused
from patrimoine.core.services import audit_record
from patrimoine.intake.models import WorkRequest
from patrimoine.organisations.access import Access
from patrimoine.organisations.models import Trade
from patrimoine.reporting import rollups
from patrimoine.triage import predictors, selectors
from patrimoine.triage.engine import TriageModel, corpus_rows, evaluate, is_heldout
from patrimoine.triage.models import OrganisationModel, Suggestion

MIN_HISTORY = 20  # below this, the organisation keeps the starter model
HISTORY_WEIGHT = 3.0  # one of the organisation's own cases counts as three corpus rows
Outcome = Suggestion.Outcome


def suggestion_record(work_request: WorkRequest) -> Suggestion | None:
    """Store what the assistant proposes for a new request (nothing when AI is off)."""
    organisation_id = work_request.organisation_id
    if not selectors.ai_enabled(organisation_id):
        return None
    prediction, source = selectors.predict(organisation_id, work_request.description)
    place = selectors.place_guess(work_request.building, work_request.description)
    trade = work_request.suggested_trade
    from_model = prediction.trade.label
    if trade is None and from_model:
        trade = Trade.objects.filter(code=from_model).first()
    from_equipment = trade is not None and trade.code != from_model
    priority = prediction.priority.label
    return Suggestion.objects.create(
        organisation_id=organisation_id,
        work_request=work_request,
        source="equipment" if from_equipment else source,
        trade=trade,
        trade_confidence=1.0 if from_equipment else round(prediction.trade.confidence, 3),
        trade_why=[str(work_request.equipment)] if from_equipment else prediction.trade.why,
        trade_ranked=[[code, round(p, 3)] for code, p in prediction.trade.ranked],
        priority=selectors.PRIORITY_OF_LABEL.get(priority, "") if priority else "",
        priority_confidence=round(prediction.priority.confidence, 3),
        priority_why=prediction.priority.why,
        space=place.space if work_request.space_id is None else None,
        equipment=place.equipment if work_request.equipment_id is None else None,
        place_confidence=place.confidence,
        place_why=place.why,
        cpu_ms=round(prediction.cpu_seconds * 1000, 3),
    )


def suggestion_ensure(work_request: WorkRequest) -> Suggestion | None:
    """The request's suggestion, made now if it has none (a request filed while AI was off, or
    imported); None when AI is off. Two pages asking at once store it once."""
    if not selectors.ai_enabled(work_request.organisation_id):
        return None
    existing = Suggestion.objects.filter(work_request=work_request).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            suggestion = suggestion_record(work_request)
    except IntegrityError:
        return Suggestion.objects.filter(work_request=work_request).first()
    if suggestion is not None and work_request.suggested_trade_id is None and suggestion.trade_id is not None:
        with rollups.tracking(requests=[work_request.pk]):  # a request without a trade counts under this one
            WorkRequest.objects.filter(pk=work_request.pk, suggested_trade__isnull=True).update(
                suggested_trade=suggestion.trade_id
            )
        work_request.suggested_trade = suggestion.trade
    return suggestion


def suggestion_decide(*, work_request: WorkRequest, outcome: str, actor=None, trade=None, priority: str = "") -> None:
    """Record what the person decided against what was suggested (called by the triage services)."""
    suggestion = Suggestion.objects.filter(work_request=work_request, outcome=Outcome.PENDING).first()
    if suggestion is None:
        return
    fields = {"outcome": outcome, "decided_by": actor, "decided_at": timezone.now()}
    if outcome == Outcome.ACCEPTED:
        trade_ok = suggestion.trade_id is not None and trade is not None and trade.pk == suggestion.trade_id
        priority_ok = bool(suggestion.priority) and priority == suggestion.priority
        fields.update(
            decided_trade=trade,
            decided_priority=priority or "",
            trade_accepted=trade_ok,
            priority_accepted=priority_ok if suggestion.priority else None,
            outcome=Outcome.ACCEPTED if trade_ok and (priority_ok or not suggestion.priority) else Outcome.CORRECTED,
        )
    for name, value in fields.items():
        setattr(suggestion, name, value)
    suggestion.save(update_fields=[*fields, "updated_at"])


def _settings_row(organisation) -> OrganisationModel:
    row, _created = OrganisationModel.objects.get_or_create(organisation=organisation)
    return row


@transaction.atomic
def ai_switch(*, access: Access, enabled: bool) -> OrganisationModel:
    """Turn the assistant on or off for the user's organisation."""
    if not access.has("triage.manage"):
        raise PermissionRefused(_("Votre rôle ne permet pas de régler l'IA de la collectivité."))
    row = _settings_row(access.organisation)
    row.enabled = bool(enabled)
    row.save(update_fields=["enabled", "updated_at"])
    # Requests still to triage lose their suggested trade while AI is off, and get it back after.
    waiting = WorkRequest.objects.filter(organisation=access.organisation, status=WorkRequest.Status.NEW)
    if row.enabled:
        for suggestion in Suggestion.objects.filter(work_request__in=waiting, trade__isnull=False):
            waiting.filter(pk=suggestion.work_request_id).update(suggested_trade=suggestion.trade_id)
    else:
        waiting.update(suggested_trade=None)
    audit_record(
        actor=access.user,
        action="triage.switch",
        target=row,
        message=_("IA activée") if enabled else _("IA désactivée"),
        data={"enabled": row.enabled},
    )
    return row


@transaction.atomic
def training_request(*, access: Access) -> OrganisationModel:
    """Queue the training of the organisation's model (the worker runs it)."""
    if not access.has("triage.manage"):
        raise PermissionRefused(_("Votre rôle ne permet pas d'entraîner le modèle de la collectivité."))
    row = _settings_row(access.organisation)
    row.status = OrganisationModel.Status.QUEUED if row.trained_at is None else row.status
    row.save(update_fields=["status", "updated_at"])
    audit_record(actor=access.user, action="triage.train", target=row, message=_("Entraînement demandé"))
    organisation_id = access.organisation.pk

    def enqueue() -> None:
        from patrimoine.triage.tasks import train_organisation_model

        train_organisation_model.enqueue(organisation_id=organisation_id)

    transaction.on_commit(enqueue)
    return row


def organisation_model_train(organisation_id: int, *, corpus_rows_override=None) -> dict:
    """Train the organisation's model: the starter corpus plus its own history (weighted), measured
    on the held-out tenth of its history. Below MIN_HISTORY cases it keeps the starter model."""
    with scopes_disabled():
        history = selectors.history_rows(organisation_id)
        row, _created = OrganisationModel.objects.get_or_create(organisation_id=organisation_id)
        if len(history) < MIN_HISTORY:
            row.status = OrganisationModel.Status.STARTER if row.trained_at is None else row.status
            row.last_error = _("Historique trop court : %(n)d demandes triées, il en faut %(min)d.") % {
                "n": len(history),
                "min": MIN_HISTORY,
            }
            row.save(update_fields=["status", "last_error", "updated_at"])
            return {"trained": False, "history": len(history)}
        corpus = corpus_rows() if corpus_rows_override is None else corpus_rows_override
        own_train = [r for r in history if not is_heldout(r[0])]
        own_heldout = [r for r in history if is_heldout(r[0])]
        train = [r for r in corpus if not is_heldout(r[0])] + own_train
        weights = [1.0] * (len(train) - len(own_train)) + [HISTORY_WEIGHT] * len(own_train)
        started = time.process_time()
        model = TriageModel().fit([r[0] for r in train], [r[1] for r in train], [r[2] for r in train], weights)
        training = time.process_time() - started
        heldout = own_heldout or [r for r in corpus if is_heldout(r[0])][:500]
        metrics = evaluate(model, heldout[:1000])
        metrics["heldout_source"] = "organisation" if own_heldout else "corpus"
        blob = model.dumps()
        row.blob = blob
        row.size_bytes = len(blob)
        row.samples = len(own_train)
        row.training_seconds = round(training, 3)
        row.metrics = metrics
        row.trained_at = timezone.now()
        row.status = OrganisationModel.Status.TRAINED
        row.last_error = ""
        # Not `enabled`: the administrator may switch AI off while the model trains.
        row.save(
            update_fields=[
                "blob", "size_bytes", "samples", "training_seconds", "metrics", "trained_at", "status",
                "last_error", "updated_at",
            ]
        )  # fmt: skip
    predictors.forget(organisation_id)
    return {"trained": True, "history": len(history), "training_seconds": row.training_seconds}
