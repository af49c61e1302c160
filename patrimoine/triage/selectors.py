"""Reads of the triage assistant: is AI on, what it suggests, probable duplicates, estimates, figures."""

import logging
import math
import re
import statistics
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone
from django_scopes import scopes_disabled

from patrimoine.intake.models import WorkRequest, fold
from patrimoine.organisations.models import Trade
from patrimoine.triage import predictors
from patrimoine.triage.engine import STOP, Prediction
from patrimoine.triage.models import OrganisationModel, Suggestion
from patrimoine.workorders.models import WorkOrder
from patrimoine.workorders.selectors import hours_worked

logger = logging.getLogger(__name__)
Priority = WorkOrder.Priority
# The model speaks the three priorities; work orders have four.
PRIORITY_OF_LABEL = {"urgente": Priority.URGENT, "normale": Priority.NORMAL, "basse": Priority.LOW}
LABEL_OF_PRIORITY = {
    Priority.URGENT: "urgente",
    Priority.HIGH: "urgente",
    Priority.NORMAL: "normale",
    Priority.LOW: "basse",
}

DUPLICATE_DAYS = 30
DUPLICATE_METRES = 300
DUPLICATE_SIMILARITY = 0.3


# --- The switch and the model ---------------------------------------------------------------------


def organisation_model_of(organisation_id) -> OrganisationModel | None:
    with scopes_disabled():
        return OrganisationModel.objects.filter(organisation_id=organisation_id).defer("blob").first()


def ai_enabled(organisation_id) -> bool:
    """AI is on unless the organisation switched it off."""
    row = organisation_model_of(organisation_id)
    return row is None or row.enabled


def model_for(organisation_id) -> tuple[object, str]:
    """(model, source): the organisation's own trained model, else the French starter model."""
    row = organisation_model_of(organisation_id)
    if row is not None and row.trained_at is not None and row.status != OrganisationModel.Status.STARTER:

        def load_blob():
            with scopes_disabled():
                return OrganisationModel.objects.values_list("blob", flat=True).get(pk=row.pk)

        try:
            return predictors.organisation_model(organisation_id, row.trained_at, load_blob), "organisation"
        except Exception:  # noqa: BLE001 — an unreadable blob must not break filing a request
            logger.exception("Unreadable triage model of organisation %s: the starter model answers", organisation_id)
    return predictors.starter_model(), "starter"


def predict(organisation_id, text: str) -> tuple[Prediction, str]:
    model, source = model_for(organisation_id)
    return model.predict(text), source


def trade_suggestion(description: str, *, equipment=None, organisation=None) -> Trade | None:
    """The trade a request probably needs: the equipment category's usual trade, else the model's
    answer when it is confident enough; nothing when the organisation switched AI off."""
    if organisation is not None and not ai_enabled(organisation.pk):
        return None
    if equipment is not None and equipment.category_id and equipment.category.trade_id:
        return equipment.category.trade
    organisation_id = organisation.pk if organisation is not None else None
    prediction, _source = predict(organisation_id, description) if organisation_id else (None, None)
    if prediction is None:
        prediction = predictors.starter_model().predict(description)
    code = prediction.trade.label
    return Trade.objects.filter(code=code).first() if code else None


# --- The place ------------------------------------------------------------------------------------

_WORD = re.compile(r"[a-z0-9]+")


def _stems(text: str) -> set[str]:
    """Accent-free words of 3 letters or more, cut to 5 letters: « toilettes » ~ « toilette »."""
    return {word[:5] for word in _WORD.findall(fold(text)) if len(word) >= 3 and word not in STOP}


@dataclass
class PlaceGuess:
    space: object | None = None
    equipment: object | None = None
    confidence: float = 0.0
    why: list[str] = field(default_factory=list)


def place_guess(building, text: str) -> PlaceGuess:
    """The equipment or room of the building whose name shares the most (rare) words with the text."""
    if building is None:
        return PlaceGuess()
    from patrimoine.intake.selectors import equipment_of_building, spaces_of_building

    words = _stems(text)
    candidates = [("equipment", e, e.name) for e in equipment_of_building(building)]
    candidates += [("space", s, s.name) for s in spaces_of_building(building)]
    if not words or not candidates:
        return PlaceGuess()
    frequency: dict[str, int] = {}
    for _kind, _obj, name in candidates:
        for stem in _stems(name):
            frequency[stem] = frequency.get(stem, 0) + 1
    best, best_score, best_words = None, 0.0, []
    for kind, obj, name in candidates:
        stems = _stems(name)
        shared = words & stems
        score = sum(math.log(1 + len(candidates) / frequency[s]) for s in shared)
        if score > best_score:
            best, best_score, best_words = (kind, obj), score, sorted(shared)
    if best is None:
        return PlaceGuess()
    total = sum(math.log(1 + len(candidates) / frequency[s]) for s in _stems(best[1].name)) or 1.0
    confidence = min(1.0, best_score / total)
    source_words = [w for w in _WORD.findall(fold(text)) if w[:5] in best_words]
    guess = PlaceGuess(confidence=round(confidence, 2), why=sorted(set(source_words))[:3])
    setattr(guess, best[0], best[1])
    return guess


# --- Suggestions ------------------------------------------------------------------------------------


def suggestion_for(work_request: WorkRequest) -> Suggestion | None:
    """The stored suggestion of a request, unless AI is off for its organisation."""
    if not ai_enabled(work_request.organisation_id):
        return None
    return (
        Suggestion.objects.filter(work_request=work_request)
        .select_related("trade", "space", "equipment", "decided_trade")
        .first()
    )


# --- Duplicates ------------------------------------------------------------------------------------


def _position(work_request: WorkRequest):
    if work_request.latitude is not None and work_request.longitude is not None:
        return float(work_request.latitude), float(work_request.longitude)
    building = work_request.building
    if building is not None and building.has_coordinates:
        return float(building.latitude), float(building.longitude)
    return None


def _metres(a, b) -> float:
    lat = math.radians((a[0] + b[0]) / 2)
    dx = math.radians(b[1] - a[1]) * math.cos(lat) * 6_371_000
    dy = math.radians(b[0] - a[0]) * 6_371_000
    return math.hypot(dx, dy)


@dataclass
class Duplicate:
    request: WorkRequest
    similarity: float
    distance: float | None


def probable_duplicates(access, work_request: WorkRequest, *, limit: int = 3) -> list[Duplicate]:
    """Recent open requests of the same building (or within 300 m) whose text is similar (TF-IDF
    cosine on character n-grams), most similar first. Nothing when AI is off."""
    from patrimoine.intake.selectors import merge_candidates

    if work_request.status != WorkRequest.Status.NEW or not ai_enabled(work_request.organisation_id):
        return []
    here = _position(work_request)
    near = []
    for candidate in merge_candidates(access, work_request, days=DUPLICATE_DAYS):
        if candidate.created_at < timezone.now() - timedelta(days=DUPLICATE_DAYS):
            continue
        distance = None
        if work_request.building_id and candidate.building_id == work_request.building_id:
            distance = 0.0
        elif here is not None and (there := _position(candidate)) is not None:
            distance = _metres(here, there)
            if distance > DUPLICATE_METRES:
                continue
        else:
            continue
        near.append((candidate, distance))
    if not near:
        return []
    texts = [fold(work_request.description)] + [fold(c.description) for c, _ in near]
    from sklearn.feature_extraction.text import TfidfVectorizer  # imported on use (engine.py says why)
    from sklearn.metrics.pairwise import cosine_similarity

    matrix = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True).fit_transform(texts)
    scores = cosine_similarity(matrix[0], matrix[1:])[0]
    found = [
        Duplicate(candidate, round(float(score), 2), distance)
        for (candidate, distance), score in zip(near, scores, strict=True)
        if score >= DUPLICATE_SIMILARITY
    ]
    return sorted(found, key=lambda d: -d.similarity)[:limit]


# --- Estimates -------------------------------------------------------------------------------------


@dataclass
class Estimate:
    jobs: int
    hours: tuple[float, float, float] | None  # first quartile, median, third quartile
    cost: tuple[Decimal, Decimal, Decimal] | None
    examples: list[str]


def _quartiles(values: list[float]) -> tuple[float, float, float]:
    if len(values) == 1:
        return values[0], values[0], values[0]
    q1, q2, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return q1, q2, q3


def estimate_for(organisation_id, trade_id, text: str, *, neighbours: int = 15, pool: int = 400) -> Estimate | None:
    """Duration (hours worked) and cost of similar validated jobs of the organisation: same trade,
    nearest by text (TF-IDF cosine), as quartiles. None when it has no such history."""
    if trade_id is None or not ai_enabled(organisation_id):
        return None
    with scopes_disabled():
        # The hours of each of the `pool` latest orders (a subquery per row), not a join grouped over the
        # trade's whole history before the LIMIT (1.8 s for a métropole's commune).
        orders = list(
            WorkOrder.objects.filter(
                organisation_id=organisation_id, trade_id=trade_id, status=WorkOrder.Status.VALIDATED
            )
            .order_by("-validated_at")
            .annotate(hours=hours_worked())
            .values("reference", "title", "description", "hours", "total_cost")[:pool]
        )
    if not orders:
        return None
    if len(orders) > neighbours:
        texts = [fold(text)] + [fold(f"{o['title']} {o['description']}") for o in orders]
        from sklearn.feature_extraction.text import TfidfVectorizer  # imported on use (engine.py says why)
        from sklearn.metrics.pairwise import cosine_similarity

        matrix = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True).fit_transform(texts)
        scores = cosine_similarity(matrix[0], matrix[1:])[0]
        order = sorted(range(len(orders)), key=lambda i: -scores[i])[:neighbours]
        orders = [orders[i] for i in order]
    hours = sorted(float(o["hours"]) for o in orders if o["hours"])
    costs = sorted(o["total_cost"] for o in orders if o["total_cost"])
    cost_q = None
    if costs:
        q = _quartiles([float(c) for c in costs])
        cost_q = tuple(Decimal(str(round(v, 2))) for v in q)
    return Estimate(
        jobs=len(orders),
        hours=tuple(round(v, 1) for v in _quartiles(hours)) if hours else None,
        cost=cost_q,
        examples=[o["reference"] for o in orders[:3]],
    )


# --- Training data and figures ---------------------------------------------------------------------


def history_rows(organisation_id) -> list[tuple[str, str, str]]:
    """The organisation's triaged history as (text, trade code, priority label): accepted requests
    (the trade the lead chose, the priority of the work order) and work orders filed without one."""
    with scopes_disabled():
        requests = WorkRequest.objects.filter(
            organisation_id=organisation_id, status=WorkRequest.Status.ACCEPTED, trade__isnull=False
        ).values_list("description", "trade__code", "work_order__priority")
        orders = (
            WorkOrder.objects.filter(organisation_id=organisation_id, trade__isnull=False, requests__isnull=True)
            .exclude(status=WorkOrder.Status.CANCELLED)
            .values_list("title", "description", "trade__code", "priority")
        )
        rows = [(text, trade, LABEL_OF_PRIORITY.get(priority, "")) for text, trade, priority in requests]
        rows += [
            (f"{title}. {text}", trade, LABEL_OF_PRIORITY.get(priority, "")) for title, text, trade, priority in orders
        ]
    return [row for row in rows if row[0].strip()]


def history_count(organisation_id) -> int:
    """How many cases `history_rows` would give (two counts, without loading the texts)."""
    with scopes_disabled():
        requests = WorkRequest.objects.filter(
            organisation_id=organisation_id, status=WorkRequest.Status.ACCEPTED, trade__isnull=False
        ).count()
        orders = (
            WorkOrder.objects.filter(organisation_id=organisation_id, trade__isnull=False, requests__isnull=True)
            .exclude(status=WorkOrder.Status.CANCELLED)
            .count()
        )
    return requests + orders


def frugality(organisation) -> dict:
    """What the administrator page shows: accuracy, acceptance, size, training and prediction costs."""
    from patrimoine.triage.energy import WATTS_PER_CORE, joules

    row = organisation_model_of(organisation.pk)
    with scopes_disabled():
        decided = Suggestion.objects.filter(organisation=organisation).exclude(outcome=Suggestion.Outcome.PENDING)
        counts = decided.aggregate(
            total=Count("pk", filter=Q(trade_accepted__isnull=False)),
            trade_ok=Count("pk", filter=Q(trade_accepted=True)),
            priority_total=Count("pk", filter=Q(priority_accepted__isnull=False)),
            priority_ok=Count("pk", filter=Q(priority_accepted=True)),
        )
        recent = list(Suggestion.objects.filter(organisation=organisation).values_list("cpu_ms", flat=True)[:500])
    starter = predictors.starter_model()
    trained = row is not None and row.trained_at is not None and row.status != OrganisationModel.Status.STARTER
    metrics = row.metrics if trained else starter.info.get("heldout", {})
    size = row.size_bytes if trained else predictors.starter_size()
    training = row.training_seconds if trained else starter.info.get("training_cpu_seconds", 0)
    cpu = metrics.get("cpu_ms_per_prediction", {})
    mean_ms = (sum(recent) / len(recent)) if recent else cpu.get("mean", 0)
    names = dict(Trade.objects.values_list("code", "name"))
    per_trade = [(names.get(code, code), m) for code, m in (metrics.get("per_trade") or {}).items()]
    return {
        "row": row,
        "per_trade": sorted(per_trade, key=lambda item: item[0]),
        "enabled": row is None or row.enabled,
        "trained": trained,
        "source": "organisation" if trained else "starter",
        "metrics": metrics,
        "size_bytes": size,
        "training_seconds": training,
        "cpu_ms_mean": mean_ms,
        "cpu_ms_p95": cpu.get("p95"),
        "suggestions": counts["total"],
        "trade_acceptance": (counts["trade_ok"] / counts["total"]) if counts["total"] else None,
        "priority_acceptance": (counts["priority_ok"] / counts["priority_total"]) if counts["priority_total"] else None,
        "watts_per_core": WATTS_PER_CORE,
        "joules_per_prediction": joules(mean_ms / 1000),
        "joules_training": joules(training),
        "history": history_count(organisation.pk),
    }
