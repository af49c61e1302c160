"""The learning part, with no Django in it: text → (trade, priority) with probabilities and a "why".

One TF-IDF vectoriser (character n-grams 2–5 inside word boundaries, which forgive typos, SMS
spelling and missing accents, plus words and word pairs) feeds one linear model per target
(`SGDClassifier` with the logistic loss: probabilities, seconds to train on 100 000 rows, a few
hundred microseconds to predict). The "why" is the words of the request whose n-grams push the
chosen class most (weight × idf of each n-gram present in the word), so a person can check it.
"""

import csv
import hashlib
import io
import time
import zlib
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING

import joblib
import numpy as np
from scipy import sparse

from patrimoine.intake.models import fold

if TYPE_CHECKING:
    from sklearn.linear_model import SGDClassifier

ENGINE_VERSION = "2"
DATA_DIR = Path(__file__).resolve().parent / "data"
CORPUS = DATA_DIR / "corpus.csv"
PRIORITIES = ("urgente", "normale", "basse")
HELDOUT_MODULO = 10  # one row in ten, chosen by a hash of its text, is kept out of training
CHAR_FEATURES = 2**17
WORD_FEATURES = 2**15
STOP = frozenset(
    "le la les l un une des de du d a au aux en et ou est sont qui que ne pas plus on il elle ils y ce "
    "c ca cette ces se s sur sous dans ds par pour pr avec mon ma mes son sa ses nous vous je j me m "
    "bonjour bjr merci svp stp cordialement madame monsieur salut tout tres bien deja encore".split()
)


def is_heldout(text: str) -> bool:
    """Deterministic split: the same row is always on the same side, whatever the file's order."""
    return zlib.crc32(fold(text).strip().encode()) % HELDOUT_MODULO == 0


def read_labelled(path: Path | str | io.TextIOBase) -> list[tuple[str, str, str]]:
    """Rows of a `text;trade;priority` CSV (UTF-8, header line). Priority may be empty."""
    handle = open(path, encoding="utf-8", newline="") if isinstance(path, (str, Path)) else path
    with handle:
        reader = csv.reader(handle, delimiter=";")
        header = next(reader, None)
        if header is None or [h.strip().lower() for h in header[:2]] != ["text", "trade"]:
            raise ValueError("En-tête attendu : text;trade;priority")
        rows = []
        for row in reader:
            if len(row) >= 2 and row[0].strip() and row[1].strip():
                rows.append((row[0].strip(), row[1].strip(), (row[2].strip() if len(row) > 2 else "")))
        return rows


def corpus_rows() -> list[tuple[str, str, str]]:
    return read_labelled(CORPUS)


@dataclass
class Guess:
    """One target's answer: the best label (None when unsure), its probability, the runners-up, why."""

    label: str | None
    confidence: float
    ranked: list[tuple[str, float]] = field(default_factory=list)
    why: list[str] = field(default_factory=list)


@dataclass
class Prediction:
    trade: Guess
    priority: Guess
    cpu_seconds: float = 0.0


def _normalise(text: str) -> str:
    return " ".join(fold(text).split())


class TriageModel:
    """The vectoriser and the two classifiers; picklable with joblib."""

    def __init__(self, *, seed: int = 0):
        # scikit-learn (and the parts of SciPy it pulls in) is imported when a model is built, not when
        # a process starts: every web worker and command would pay a second of CPU for it.
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.seed = seed
        self.char = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=(2, 5),
            min_df=2,
            max_features=CHAR_FEATURES,
            sublinear_tf=True,
            dtype=np.float32,
        )
        self.word = TfidfVectorizer(
            analyzer="word",
            ngram_range=(1, 2),
            min_df=2,
            max_features=WORD_FEATURES,
            token_pattern=r"(?u)\b\w\w+\b",
            sublinear_tf=True,
            dtype=np.float32,
        )
        self.trade = self._classifier()
        self.priority = self._classifier()
        self.info: dict = {}

    def _classifier(self) -> "SGDClassifier":
        from sklearn.linear_model import SGDClassifier

        return SGDClassifier(loss="log_loss", alpha=2e-5, max_iter=12, tol=None, random_state=self.seed)

    def _features(self, texts: list[str], *, fit: bool = False):
        if fit:
            return sparse.hstack([self.char.fit_transform(texts), self.word.fit_transform(texts)]).tocsr()
        return sparse.hstack([self.char.transform(texts), self.word.transform(texts)]).tocsr()

    def fit(self, texts, trades, priorities, weights=None) -> "TriageModel":
        started = time.process_time()
        clean = [_normalise(t) for t in texts]
        matrix = self._features(clean, fit=True)
        # Fewer passes over a big history: 6 epochs of 100 000 rows see more examples than 12 of 8 000.
        epochs = 12 if len(clean) < 30_000 else 6
        self.trade.max_iter = epochs
        if self.priority is not None:
            self.priority.max_iter = epochs
        weights = None if weights is None else np.asarray(weights, dtype=np.float64)
        self.trade.fit(matrix, list(trades), sample_weight=weights)
        with_priority = [i for i, p in enumerate(priorities) if p]
        if len({priorities[i] for i in with_priority}) > 1:
            self.priority.fit(
                matrix[with_priority],
                [priorities[i] for i in with_priority],
                sample_weight=None if weights is None else weights[with_priority],
            )
        else:
            self.priority = None
        self._shrink()
        self.info = {"samples": len(clean), "training_cpu_seconds": round(time.process_time() - started, 3)}
        return self

    def _shrink(self) -> None:
        """float32 weights and no stop-word list: a smaller file, the same predictions."""
        for model in (self.trade, self.priority):
            if model is not None:
                model.coef_ = model.coef_.astype(np.float32)
        for vectoriser in (self.char, self.word):
            if hasattr(vectoriser, "stop_words_"):
                vectoriser.stop_words_ = None

    @property
    def trades(self) -> list[str]:
        return list(self.trade.classes_)

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("_fast", None)
        return state

    def _prepared(self):
        """Analysers and vocabularies ready for one text at a time (sklearn's checks cost more than
        the arithmetic for a single row: this path computes the same TF-IDF by hand)."""
        fast = self.__dict__.get("_fast")
        if fast is None:
            fast = self._fast = (
                self.char.build_analyzer(),
                self.char.vocabulary_,
                self.char.idf_,
                self.word.build_analyzer(),
                self.word.vocabulary_,
                self.word.idf_,
                len(self.char.vocabulary_),
            )
        return fast

    def _vector(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Column indices and values of the text's row: sublinear TF × IDF, each block L2-normalised
        (exactly what the two TfidfVectorizers give)."""
        char_analyse, char_vocab, char_idf, word_analyse, word_vocab, word_idf, offset = self._prepared()
        columns: list[int] = []
        values: list[float] = []
        for analyse, vocab, idf, shift in (
            (char_analyse, char_vocab, char_idf, 0),
            (word_analyse, word_vocab, word_idf, offset),
        ):
            counts: dict[int, int] = {}
            for gram in analyse(text):
                index = vocab.get(gram)
                if index is not None:
                    counts[index] = counts.get(index, 0) + 1
            if not counts:
                continue
            indices = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
            block = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))) * idf[indices]
            block /= np.sqrt((block * block).sum())
            columns.extend((indices + shift).tolist())
            values.extend(block.tolist())
        return np.asarray(columns, dtype=np.int64), np.asarray(values, dtype=np.float64)

    @staticmethod
    def _probabilities(model, columns: np.ndarray, values: np.ndarray) -> np.ndarray:
        """SGDClassifier.predict_proba for one sparse row (one-vs-rest logistic, normalised)."""
        scores = model.coef_[:, columns].astype(np.float64) @ values + model.intercept_
        probabilities = 1.0 / (1.0 + np.exp(-scores))
        if probabilities.shape[0] == 1:
            return np.array([1.0 - probabilities[0], probabilities[0]])
        total = probabilities.sum()
        return probabilities / total if total > 0 else np.full_like(probabilities, 1.0 / len(probabilities))

    def _guess(self, model, row, text: str, threshold: float) -> Guess:
        if model is None:
            return Guess(None, 0.0)
        probabilities = self._probabilities(model, *row)
        order = np.argsort(-probabilities)
        ranked = [(str(model.classes_[i]), float(probabilities[i])) for i in order[:3]]
        label, confidence = ranked[0]
        why = self._why(model, int(order[0]), text)
        return Guess(label if confidence >= threshold else None, confidence, ranked, why)

    def _why(self, model, class_index: int, text: str, top: int = 3) -> list[str]:
        """The words of the text that push the class most: sum of weight × idf of their n-grams."""
        coef = model.coef_[class_index] if model.coef_.shape[0] > 1 else model.coef_[0] * (1 if class_index else -1)
        char_analyse, char_vocab, char_idf, _wa, word_vocab, word_idf, n_char = self._prepared()
        scores: dict[str, float] = {}
        for word in set(text.replace("'", " ").split()):
            token = word.strip('.,;:!?()«»"')
            if len(token) < 3 or token in STOP:
                continue
            score = 0.0
            for gram in char_analyse(token):
                index = char_vocab.get(gram)
                if index is not None:
                    score += float(coef[index]) * float(char_idf[index])
            index = word_vocab.get(token)
            if index is not None:
                score += 2 * float(coef[n_char + index]) * float(word_idf[index])
            if score > 0:
                scores[token] = score
        return [word for word, _ in sorted(scores.items(), key=lambda item: -item[1])[:top]]

    def predict(self, text: str, *, threshold: float = 0.4, priority_threshold: float = 0.45) -> Prediction:
        started = time.process_time()
        clean = _normalise(text)
        row = self._vector(clean)
        if row[0].size == 0:
            prediction = Prediction(Guess(None, 0.0), Guess(None, 0.0))
        else:
            prediction = Prediction(
                self._guess(self.trade, row, clean, threshold),
                self._guess(self.priority, row, clean, priority_threshold),
            )
        prediction.cpu_seconds = time.process_time() - started
        return prediction

    def predict_many(self, texts: list[str]) -> tuple[np.ndarray, list[str], list[str] | None]:
        """Batch scoring for evaluation: trade probabilities (rows × classes), their classes, priorities."""
        matrix = self._features([_normalise(t) for t in texts])
        priorities = list(self.priority.predict(matrix)) if self.priority is not None else None
        return self.trade.predict_proba(matrix), list(self.trade.classes_), priorities

    def dumps(self) -> bytes:
        buffer = io.BytesIO()
        joblib.dump(self, buffer, compress=3)
        return buffer.getvalue()

    @staticmethod
    def loads(blob: bytes) -> "TriageModel":
        return joblib.load(io.BytesIO(bytes(blob)))


def evaluate(model: TriageModel, rows: list[tuple[str, str, str]]) -> dict:
    """Top-1 / top-3 trade accuracy, priority accuracy, per-trade breakdown, CPU per prediction."""
    if not rows:
        return {"rows": 0}
    texts = [r[0] for r in rows]
    probabilities, classes, _ = model.predict_many(texts)
    top = np.argsort(-probabilities, axis=1)[:, :3]
    per_trade: dict[str, dict] = {}
    top1 = top3 = priority_ok = priority_n = 0
    cpu = []
    for i, (text, trade, priority) in enumerate(rows):
        ranked = [classes[j] for j in top[i]]
        hit1, hit3 = ranked[0] == trade, trade in ranked
        top1 += hit1
        top3 += hit3
        bucket = per_trade.setdefault(trade, {"rows": 0, "top1": 0, "top3": 0})
        bucket["rows"] += 1
        bucket["top1"] += hit1
        bucket["top3"] += hit3
        prediction = model.predict(text)
        cpu.append(prediction.cpu_seconds)
        if priority:
            priority_n += 1
            priority_ok += prediction.priority.ranked[:1] == [] or prediction.priority.ranked[0][0] == priority
    n = len(rows)
    cpu_ms = np.array(cpu) * 1000
    return {
        "rows": n,
        "top1_accuracy": round(top1 / n, 4),
        "top3_accuracy": round(top3 / n, 4),
        "priority_accuracy": round(priority_ok / priority_n, 4) if priority_n else None,
        "per_trade": {
            trade: {
                "rows": b["rows"],
                "top1_accuracy": round(b["top1"] / b["rows"], 4),
                "top3_accuracy": round(b["top3"] / b["rows"], 4),
            }
            for trade, b in sorted(per_trade.items())
        },
        "cpu_ms_per_prediction": {
            "mean": round(float(cpu_ms.mean()), 3),
            "p50": round(float(np.percentile(cpu_ms, 50)), 3),
            "p95": round(float(np.percentile(cpu_ms, 95)), 3),
        },
    }


# --- The starter model -----------------------------------------------------------------------------


def starter_fingerprint() -> str:
    digest = hashlib.sha256(CORPUS.read_bytes())
    digest.update(f"{ENGINE_VERSION}/{version('scikit-learn')}".encode())
    return digest.hexdigest()[:12]


def train_starter() -> tuple[TriageModel, dict]:
    """Train on the corpus minus its held-out rows; metrics on the held-out rows."""
    rows = corpus_rows()
    train = [r for r in rows if not is_heldout(r[0])]
    heldout = [r for r in rows if is_heldout(r[0])]
    started = time.process_time()
    model = TriageModel().fit([r[0] for r in train], [r[1] for r in train], [r[2] for r in train])
    training = time.process_time() - started
    metrics = evaluate(model, heldout)
    model.info.update({"training_cpu_seconds": round(training, 3), "heldout": metrics})
    return model, metrics
