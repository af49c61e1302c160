"""Where the models come from, cached per process.

The French starter model is trained from `data/corpus.csv` at first use and kept under
`var/triage/starter-<fingerprint>.joblib` (the fingerprint hashes the corpus, the engine version and
scikit-learn's version). Training takes a few seconds; a pickled file in the repository would tie
the project to one scikit-learn version and hide what it was trained on, whereas this one is rebuilt
the same, byte for byte, from the versioned corpus. An organisation's own model is a blob in
`OrganisationModel`, loaded once per process and reloaded when it is retrained.
"""

import threading
from pathlib import Path

from django.conf import settings

from patrimoine.triage.engine import TriageModel, starter_fingerprint, train_starter

_lock = threading.Lock()
_starter: TriageModel | None = None
_organisation_models: dict[int, tuple[object, TriageModel]] = {}


def cache_dir() -> Path:
    return Path(getattr(settings, "TRIAGE_CACHE_DIR", settings.BASE_DIR / "var" / "triage"))


def starter_path() -> Path:
    return cache_dir() / f"starter-{starter_fingerprint()}.joblib"


def starter_model() -> TriageModel:
    """The shipped French model: from the disk cache, else trained now (seconds) and cached."""
    global _starter
    if _starter is not None:
        return _starter
    with _lock:
        if _starter is None:
            path = starter_path()
            model = None
            if path.exists():
                try:
                    model = TriageModel.loads(path.read_bytes())
                except Exception:  # noqa: BLE001 — a truncated or foreign file: train again
                    model = None
            if model is None:
                model, _metrics = train_starter()
                path.parent.mkdir(parents=True, exist_ok=True)
                temporary = path.with_suffix(f".{threading.get_ident()}.tmp")
                temporary.write_bytes(model.dumps())
                temporary.replace(path)
            _starter = model
    return _starter


def starter_size() -> int:
    """Bytes of the starter model on disk (its compressed joblib file)."""
    starter_model()
    path = starter_path()
    return path.stat().st_size if path.exists() else len(starter_model().dumps())


def organisation_model(organisation_id: int, trained_at, load_blob) -> TriageModel:
    """The organisation's trained model, loaded from its blob once per training."""
    cached = _organisation_models.get(organisation_id)
    if cached is not None and cached[0] == trained_at:
        return cached[1]
    model = TriageModel.loads(load_blob())
    _organisation_models[organisation_id] = (trained_at, model)
    return model


def forget(organisation_id: int) -> None:
    _organisation_models.pop(organisation_id, None)
