"""`python -m patrimoine.triage.bench`: the triage model against its budgets, as JSON in
bench/results/triage.json — held-out accuracy (top-1, top-3), CPU per prediction (p50, p95; budget
5 ms on one core), model size (budget 20 MB), training time on 100 000 synthetic historical orders
(budget 2 minutes). No database needed."""

import json
import os
import sys
import time
from pathlib import Path


def _cpu_percentiles(model, texts) -> dict:
    import numpy as np

    samples = []
    for text in texts:
        started = time.process_time()
        model.predict(text)
        samples.append((time.process_time() - started) * 1000)
    values = np.array(samples)
    return {
        "predictions": len(samples),
        "p50_ms": round(float(np.percentile(values, 50)), 3),
        "p95_ms": round(float(np.percentile(values, 95)), 3),
        "max_ms": round(float(values.max()), 3),
    }


def run(history_size: int = 100_000) -> dict:
    from patrimoine.triage import engine
    from patrimoine.triage.data import generate

    started_wall = time.perf_counter()
    starter, heldout = engine.train_starter()
    starter_wall = time.perf_counter() - started_wall
    rows = engine.corpus_rows()
    heldout_rows = [r for r in rows if engine.is_heldout(r[0])]
    starter_blob = starter.dumps()

    # Honest check: a model that never saw any hand-written request, asked about them.
    composed = generate.composed_only(400)
    blind = engine.TriageModel().fit([r[0] for r in composed], [r[1] for r in composed], [r[2] for r in composed])
    on_handwritten = engine.evaluate(blind, generate.handwritten())

    history = generate.synthetic_history(history_size)
    started_cpu, started_wall = time.process_time(), time.perf_counter()
    big = engine.TriageModel().fit([r[0] for r in history], [r[1] for r in history], [r[2] for r in history])
    training_cpu, training_wall = time.process_time() - started_cpu, time.perf_counter() - started_wall
    big_blob = big.dumps()
    big_heldout = engine.evaluate(big, heldout_rows)

    texts = [r[0] for r in heldout_rows]
    result = {
        "corpus_rows": len(rows),
        "heldout_rows": len(heldout_rows),
        "starter": {
            "top1_accuracy": heldout["top1_accuracy"],
            "top3_accuracy": heldout["top3_accuracy"],
            "priority_accuracy": heldout["priority_accuracy"],
            "training_cpu_seconds": starter.info["training_cpu_seconds"],
            "training_and_evaluation_wall_seconds": round(starter_wall, 2),
            "model_bytes": len(starter_blob),
            "cpu_per_prediction": _cpu_percentiles(starter, texts),
            "per_trade_top1": {k: v["top1_accuracy"] for k, v in heldout["per_trade"].items()},
        },
        "handwritten_only_unseen": {
            "note": "model trained on composed requests only, evaluated on the hand-written ones",
            "rows": on_handwritten["rows"],
            "top1_accuracy": on_handwritten["top1_accuracy"],
            "top3_accuracy": on_handwritten["top3_accuracy"],
            "priority_accuracy": on_handwritten["priority_accuracy"],
        },
        "history_100k": {
            "orders": len(history),
            "training_cpu_seconds": round(training_cpu, 2),
            "training_wall_seconds": round(training_wall, 2),
            "model_bytes": len(big_blob),
            "heldout_top1_accuracy": big_heldout["top1_accuracy"],
            "heldout_top3_accuracy": big_heldout["top3_accuracy"],
            "cpu_per_prediction": _cpu_percentiles(big, texts),
        },
        "budgets": {"p95_cpu_ms": 5, "model_mb": 20, "training_100k_cpu_seconds": 120},
    }
    worst_p95 = max(
        result["starter"]["cpu_per_prediction"]["p95_ms"], result["history_100k"]["cpu_per_prediction"]["p95_ms"]
    )
    result["within_budgets"] = (
        worst_p95 < 5 and max(len(starter_blob), len(big_blob)) < 20 * 1024 * 1024 and training_wall < 120
    )
    return result


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "patrimoine.settings")
    import django

    django.setup()
    size = int(os.environ.get("TRIAGE_BENCH_HISTORY", "100000"))
    result = run(size)
    target = Path(os.environ.get("TRIAGE_BENCH_OUTPUT", "bench/results/triage.json"))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0 if result["within_budgets"] else 1


if __name__ == "__main__":
    sys.exit(main())
