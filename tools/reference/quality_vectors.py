#!/usr/bin/python3
"""Writes the reference vectors the model-quality statistics are held to.

    /usr/bin/python3 tools/reference/quality_vectors.py > tests/MlOps.Sdk.Monitoring.Tests/Reference/quality.json

Needs Debian's python3-statsmodels, python3-sklearn and r-cran-proc (R is called through Rscript):
- Wilson intervals: statsmodels proportion_confint(method="wilson");
- McNemar's exact test: statsmodels mcnemar(table, exact=True);
- DeLong: R pROC ci.auc(method="delong") and roc.test(paired=TRUE, method="delong"), direction "<" (controls below cases);
- multiclass metrics, confusion matrices, one-vs-rest AUC, log loss and MSE: scikit-learn.
The samples are written into the file, so the C# side reads the same numbers.
"""
import csv
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import sklearn
import statsmodels
from sklearn import metrics
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.proportion import proportion_confint

rng = np.random.default_rng(12)
out = {"versions": {"statsmodels": statsmodels.__version__, "sklearn": sklearn.__version__, "numpy": np.__version__}}

# Wilson intervals.
wilson = []
for successes, trials in [(0, 1), (1, 1), (0, 10), (10, 10), (7, 20), (45, 50), (180, 200), (18_000, 20_000), (1, 3), (999, 1000), (5, 100_000)]:
    for level in (0.9, 0.95, 0.99):
        low, high = proportion_confint(successes, trials, alpha=1 - level, method="wilson")
        wilson.append({"successes": successes, "trials": trials, "level": level, "lower": float(low), "upper": float(high)})
out["wilson"] = wilson

# McNemar's exact test on the discordant counts b (only the first right) and c (only the second right).
tests = []
for b, c in [(0, 0), (0, 1), (3, 3), (10, 2), (2, 10), (25, 40), (100, 130), (500, 450), (7, 0), (1000, 1100)]:
    result = mcnemar([[50, b], [c, 50]], exact=True)
    tests.append({"b": b, "c": c, "statistic": float(result.statistic), "pvalue": float(result.pvalue)})
out["mcnemar"] = tests


def sample(n, positive_rate, separation, quantum=None):
    labels = rng.random(n) < positive_rate
    scores = rng.normal(0, 1, n) + separation * labels
    if quantum:
        scores = np.round(scores / quantum) * quantum
    return labels, scores


# DeLong by R's pROC.
delong_cases = []
for n, rate, separation, quantum in [(20, 0.5, 1.0, None), (200, 0.3, 1.5, None), (200, 0.5, 0.8, 0.5), (1000, 0.1, 2.0, None), (57, 0.4, 0.0, 0.25)]:
    labels, scores = sample(n, rate, separation, quantum)
    second = scores + rng.normal(0, 0.8, n)
    delong_cases.append({"labels": [bool(x) for x in labels], "scores": [float(x) for x in scores], "second": [float(x) for x in second]})

with tempfile.TemporaryDirectory() as tmp:
    for k, case in enumerate(delong_cases):
        with open(os.path.join(tmp, f"case{k}.csv"), "w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["label", "score", "second"])
            for row in zip(case["labels"], case["scores"], case["second"]):
                writer.writerow([int(row[0]), repr(row[1]), repr(row[2])])
    script = r"""
suppressMessages(library(pROC))
args <- commandArgs(trailingOnly = TRUE)
for (f in args) {
  d <- read.csv(f)
  r1 <- roc(d$label, d$score, levels = c(0, 1), direction = "<", quiet = TRUE)
  r2 <- roc(d$label, d$second, levels = c(0, 1), direction = "<", quiet = TRUE)
  for (level in c(0.9, 0.95, 0.99)) {
    ci <- ci.auc(r1, conf.level = level, method = "delong")
    cat(f, "ci", level, sprintf("%.17g", as.numeric(ci)), "\n")
  }
  cat(f, "var", sprintf("%.17g", var(r1, method = "delong")), "\n")
  t <- roc.test(r1, r2, paired = TRUE, method = "delong")
  cat(f, "paired", sprintf("%.17g", c(as.numeric(t$statistic), t$p.value, as.numeric(t$estimate))), "\n")
}
"""
    files = [os.path.join(tmp, f"case{k}.csv") for k in range(len(delong_cases))]
    printed = subprocess.run(["Rscript", "-e", script, *files], capture_output=True, text=True, check=True).stdout
    version = subprocess.run(["Rscript", "-e", 'cat(as.character(packageVersion("pROC")))'], capture_output=True, text=True, check=True).stdout
    out["versions"]["pROC"] = version.strip()
    for line in printed.splitlines():
        parts = line.split()
        case = delong_cases[files.index(parts[0])]
        if parts[1] == "ci":
            case.setdefault("intervals", []).append({"level": float(parts[2]), "lower": float(parts[3]), "auc": float(parts[4]), "upper": float(parts[5])})
        elif parts[1] == "var":
            case["variance"] = float(parts[2])
        else:
            case["paired"] = {"z": float(parts[2]), "pvalue": float(parts[3]), "first": float(parts[4]), "second": float(parts[5])}
out["delong"] = delong_cases

# Multiclass metrics by scikit-learn.
multiclass = []
for n, classes in [(30, 3), (500, 4), (200, 5)]:
    labels = rng.integers(0, classes, n)
    logits = rng.normal(0, 1, (n, classes))
    logits[np.arange(n), labels] += 1.2
    probabilities = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    predictions = probabilities.argmax(axis=1)
    flip = rng.random(n) < 0.1
    predictions[flip] = rng.integers(0, classes, flip.sum())
    case = {"classes": classes, "labels": labels.tolist(), "predictions": predictions.tolist(), "probabilities": probabilities.tolist(),
            "accuracy": float(metrics.accuracy_score(labels, predictions)),
            "confusion": metrics.confusion_matrix(labels, predictions, labels=list(range(classes))).tolist(),
            "log_loss": float(metrics.log_loss(labels, probabilities)),
            "auc_macro": float(metrics.roc_auc_score(labels, probabilities, multi_class="ovr", average="macro")),
            "auc_weighted": float(metrics.roc_auc_score(labels, probabilities, multi_class="ovr", average="weighted"))}
    for average in ("macro", "weighted", "micro"):
        p, r, f, _ = metrics.precision_recall_fscore_support(labels, predictions, average=average, zero_division=0)
        case[average] = [float(p), float(r), float(f)]
    multiclass.append(case)
# A class never predicted and one never present: zero_division and the classes scikit-learn takes.
labels, predictions = [0, 0, 1, 1, 2, 2], [0, 0, 0, 1, 1, 1]
case = {"classes": 3, "labels": labels, "predictions": predictions, "accuracy": float(metrics.accuracy_score(labels, predictions)),
        "confusion": metrics.confusion_matrix(labels, predictions, labels=[0, 1, 2]).tolist()}
for average in ("macro", "weighted", "micro"):
    p, r, f, _ = metrics.precision_recall_fscore_support(labels, predictions, average=average, zero_division=0)
    case[average] = [float(p), float(r), float(f)]
multiclass.append(case)
out["multiclass"] = multiclass

actual = rng.normal(3, 2, 300)
predicted = actual + rng.normal(0, 0.7, 300)
out["mse"] = {"actual": actual.tolist(), "predicted": predicted.tolist(), "value": float(metrics.mean_squared_error(actual, predicted))}

json.dump(out, sys.stdout, indent=1)
