#!/usr/bin/python3
"""Writes the reference vectors for confidence-based performance estimation (CBPE): scikit-learn's isotonic calibration
(`IsotonicRegression(out_of_bounds="clip")`) and, from its calibrated probabilities, a window's expected confusion
matrix metrics and its expected ROC AUC (pairs of distinct rows, ties counting one half), computed pair by pair.

Run with Debian's interpreter, which has python3-sklearn:
    /usr/bin/python3 tools/reference/cbpe_vectors.py > tests/MlOps.Sdk.Monitoring.Tests/Reference/cbpe.json
"""
import json
import sys

import numpy as np
import sklearn
from sklearn.isotonic import IsotonicRegression


def stream(seed, n, shift=0.0, quantum=None):
    """Scores of a calibrated model (labels drawn with the score as probability), optionally on a grid (ties)."""
    rng = np.random.default_rng(seed)
    scores = np.clip(rng.beta(2, 2, n) + shift, 0.001, 0.999)
    if quantum:
        scores = np.round(scores * quantum) / quantum
    labels = rng.random(n) < scores
    return scores, labels


def expected(p, predicted, scores):
    tp = np.sum(p * predicted)
    fp = np.sum((1 - p) * predicted)
    fn = np.sum(p * ~predicted)
    tn = np.sum((1 - p) * ~predicted)
    ordered, pairs = 0.0, 0.0
    for i in range(len(p)):
        for j in range(len(p)):
            if i == j:
                continue
            w = p[i] * (1 - p[j])
            pairs += w
            ordered += w if scores[i] > scores[j] else (0.5 * w if scores[i] == scores[j] else 0.0)
    return {"accuracy": (tp + tn) / len(p), "precision": tp / (tp + fp), "recall": tp / (tp + fn),
            "f1": 2 * tp / (2 * tp + fp + fn), "roc_auc": ordered / pairs}


CASES = [
    ("calibrated reference, window like it", (1, 300), (2, 200, 0.0, None), 0.5),
    ("scores on a 0.05 grid (ties)", (3, 300, 0.0, 20), (4, 150, 0.0, 20), 0.5),
    ("shifted window, threshold 0.4", (5, 400), (6, 200, 0.15, None), 0.4),
    ("window beyond the reference's scores (clipped)", (7, 60), (8, 120, 0.3, None), 0.5),
]


def main():
    out = {"generator": "scikit-learn %s, numpy %s" % (sklearn.__version__, np.__version__), "cases": []}
    for name, ref, win, threshold in CASES:
        ref_scores, ref_labels = stream(*ref)
        win_scores, _ = stream(*win)
        iso = IsotonicRegression(out_of_bounds="clip").fit(ref_scores, ref_labels.astype(float))
        p = iso.predict(win_scores)
        out["cases"].append({
            "name": name, "threshold": threshold,
            "referenceScores": ref_scores.tolist(), "referenceLabels": ref_labels.tolist(),
            "windowScores": win_scores.tolist(), "calibrated": p.tolist(),
            "expected": expected(p, win_scores >= threshold, win_scores),
        })
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
