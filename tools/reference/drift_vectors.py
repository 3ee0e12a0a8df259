#!/usr/bin/python3
"""Writes the reference vectors the Monitoring tests compare against: samples and the statistic and p-value scipy,
numpy and (for Evidently's definitions) the formulas below compute for them.

Run with Debian's interpreter, which has python3-scipy and python3-sklearn:
    /usr/bin/python3 tools/reference/drift_vectors.py > tests/MlOps.Sdk.Monitoring.Tests/Reference/drift.json

Samples are described by a generator both sides implement bit for bit (a 64-bit LCG and sums of dyadic uniforms),
so the file stays small; special cases list their values.
"""
import json
import math
import sys
import time

import numpy as np
import scipy
from scipy import stats
from scipy.spatial import distance

MASK = (1 << 64) - 1


def generate(spec):
    """Irwin-Hall(3) values from a 64-bit LCG: (u1 + u2 + u3) * scale + shift, optionally floored to a quantum."""
    if "values" in spec:
        return np.array(spec["values"], dtype=float)
    state = spec["seed"] & MASK
    out = np.empty(spec["n"])
    for i in range(spec["n"]):
        total = 0.0
        for _ in range(3):
            state = (state * 6364136223846793005 + 1442695040888963407) & MASK
            total += (state >> 32) / 4294967296.0
        x = total * spec.get("scale", 1.0) + spec.get("shift", 0.0)
        q = spec.get("quantum", 0)
        if q:
            x = math.floor(x * q) / q
        out[i] = x
    return out


def categories(spec):
    """Integer categories: the LCG's top bits modulo k, plus an offset (so a sample can have categories the other lacks)."""
    state = spec["seed"] & MASK
    out = np.empty(spec["n"])
    for i in range(spec["n"]):
        state = (state * 6364136223846793005 + 1442695040888963407) & MASK
        out[i] = (state >> 32) % spec["k"] + spec.get("offset", 0)
    return out


def classification(spec):
    """Scores are LCG uniforms (floored to a grid when quantum is set); a label is positive when the next uniform is
    below score * rate; a prediction is positive when the score reaches the threshold."""
    state = spec["seed"] & MASK
    scores, labels = np.empty(spec["n"]), np.empty(spec["n"], dtype=bool)
    for i in range(spec["n"]):
        state = (state * 6364136223846793005 + 1442695040888963407) & MASK
        u = (state >> 32) / 4294967296.0
        q = spec.get("quantum", 0)
        scores[i] = math.floor(u * q) / q if q else u
        state = (state * 6364136223846793005 + 1442695040888963407) & MASK
        labels[i] = (state >> 32) / 4294967296.0 < scores[i] * spec["rate"]
    return labels, scores, scores >= spec["threshold"]


def binned(reference, current, fill):
    """Evidently's get_binned_data for a numeric column."""
    if len(np.unique(reference)) > 20:
        bins = np.histogram_bin_edges(np.concatenate([reference, current]), bins="sturges")
        r = np.histogram(reference, bins)[0] / len(reference)
        c = np.histogram(current, bins)[0] / len(current)
    else:
        keys = sorted(set(reference) | set(current))
        r = np.array([np.sum(reference == k) / len(reference) for k in keys])
        c = np.array([np.sum(current == k) / len(current) for k in keys])
    if fill:
        for p in (r, c):
            smallest = min(p[p != 0])
            np.place(p, p == 0, smallest / 10**6 if smallest <= 0.0001 else 0.0001)
    return r, c


def hellinger_numeric(reference, current):
    keys = np.unique(np.concatenate([reference, current]))
    bins = np.histogram_bin_edges(keys, bins="sturges")
    h1 = np.histogram(reference, bins=bins, density=True)[0]
    h2 = np.histogram(current, bins=bins, density=True)[0]
    width = (max(keys) - min(keys)) / len(h1)
    total = sum(math.sqrt(a * b) * width for a, b in zip(h1, h2))
    return math.sqrt(1 - min(max(total, 0), 1))


def hellinger_categorical(reference, current):
    keys = set(reference) | set(current)
    total = sum(math.sqrt(np.mean(reference == k) * np.mean(current == k)) for k in keys)
    return math.sqrt(1 - min(max(total, 0), 1))


def g(seed, n, shift=0.0, scale=1.0, quantum=0):
    return {"seed": seed, "n": n, "shift": shift, "scale": scale, "quantum": quantum}


KS_CASES = [
    ("equal sizes, shifted", g(1, 50), g(2, 50, 0.4), "auto"),
    ("equal sizes, same law", g(3, 200), g(4, 200), "auto"),
    ("unequal sizes", g(5, 80), g(6, 120, 0.2), "auto"),
    ("unequal sizes, scale change", g(7, 300), g(8, 170, -0.75, 1.5), "auto"),
    ("ties (values on a 0.1 grid)", g(9, 200, quantum=10), g(10, 300, 0.1, quantum=10), "auto"),
    ("heavy ties (4 values)", g(11, 150, quantum=1), g(12, 90, quantum=1), "auto"),
    ("identical samples", g(13, 40), g(13, 40), "auto"),
    ("one value each", {"values": [1.0]}, {"values": [2.0]}, "auto"),
    ("exact at the switch: 10000 vs 9000", g(14, 10000), g(15, 9000, 0.03), "auto"),
    ("asymptotic past the switch: 10001 vs 12000", g(16, 10001), g(17, 12000, 0.03), "auto"),
    ("asymptotic, large shift: 15000 vs 15000", g(18, 15000), g(19, 15000, 0.1), "auto"),
    ("asymptotic, no shift: 12000 vs 11000", g(20, 12000), g(21, 11000), "auto"),
    ("asymptotic, small window: 20000 vs 100", g(22, 20000), g(23, 100, 0.2), "auto"),
    ("asymptotic, small window, no shift: 20000 vs 60", g(24, 20000), g(25, 60), "auto"),
    ("asymptotic, small window, big shift: 20000 vs 50", g(26, 20000), g(27, 50, 0.9), "auto"),
    ("asymptotic requested, 300 vs 300", g(28, 300), g(29, 300, 0.1), "asymp"),
    ("asymptotic requested, 400 vs 500, tiny shift", g(30, 400), g(31, 500, 0.01), "asymp"),
    ("exact requested, 11000 vs 500", g(32, 11000), g(33, 500, 0.05), "exact"),
    ("asymptotic, small window, no shift: 20000 vs 40", g(35, 20000), g(36, 40), "auto"),
    ("asymptotic requested, 600 vs 600, tiny shift", g(37, 600), g(38, 600, 0.01), "asymp"),
    ("asymptotic requested, 1000 vs 1000, tiny shift", g(39, 1000), g(40, 1000, 0.005), "asymp"),
    ("asymptotic requested, same sample nudged", g(41, 3000), g(41, 3000, 0.0001), "asymp"),
    ("asymptotic requested, 30 vs 30", g(42, 30), g(43, 30, 0.3), "asymp"),
]


def main():
    out = {"generator": "scipy %s, numpy %s, scikit-learn %s" % (scipy.__version__, np.__version__, __import__("sklearn").__version__), "ks": [], "distances": [], "categorical": [], "contingency": [], "proportions": []}
    for name, a_spec, b_spec, method in KS_CASES:
        a, b = generate(a_spec), generate(b_spec)
        r = stats.ks_2samp(a, b, method=method)
        out["ks"].append({"name": name, "reference": a_spec, "current": b_spec, "method": method, "statistic": float(r.statistic), "pvalue": float(r.pvalue)})

    for name, a_spec, b_spec in [
        ("numeric, shifted", g(40, 1000), g(41, 800, 0.3)),
        ("numeric, empty bins", g(42, 500), g(43, 400, 1.5, 0.5)),
        ("numeric, same law", g(44, 2000), g(45, 2000)),
        ("few distinct values (categorical path)", g(46, 300, quantum=2), g(47, 300, 0.5, quantum=2)),
        ("constant reference", {"values": [2.0] * 30}, g(48, 40, 1.0)),
    ]:
        a, b = generate(a_spec), generate(b_spec)
        r_fill, c_fill = binned(a, b, True)
        r_raw, c_raw = binned(a, b, False)
        out["distances"].append({
            "name": name, "reference": a_spec, "current": b_spec,
            "wasserstein": float(stats.wasserstein_distance(a, b)),
            "wasserstein_normed": float(stats.wasserstein_distance(a, b) / max(np.std(a), 0.001)),
            "psi": float(np.sum((r_fill - c_fill) * np.log(r_fill / c_fill))),
            "jensenshannon_e": float(distance.jensenshannon(r_raw, c_raw)),
            "jensenshannon_2": float(distance.jensenshannon(r_raw, c_raw, 2)),
            "hellinger": hellinger_numeric(a, b),
        })

    for name, a_spec, b_spec in [
        ("same categories", {"seed": 50, "n": 500, "k": 5}, {"seed": 51, "n": 400, "k": 5}),
        ("unseen category in current", {"seed": 52, "n": 500, "k": 4}, {"seed": 53, "n": 300, "k": 5}),
        ("category gone from current", {"seed": 54, "n": 600, "k": 6}, {"seed": 55, "n": 200, "k": 4, "offset": 2}),
    ]:
        a, b = categories(a_spec), categories(b_spec)
        keys = sorted(set(a) | set(b))
        f_obs = [np.sum(b == k) for k in keys]
        f_exp = [np.sum(a == k) * (len(b) / len(a)) for k in keys]
        with np.errstate(divide="ignore", invalid="ignore"):
            chi = stats.chisquare(f_obs, f_exp)
        r_fill, c_fill = binned(a, b, True)
        r_raw, c_raw = binned(a, b, False)
        out["categorical"].append({
            "name": name, "reference": a_spec, "current": b_spec,
            "chisquare_statistic": float(chi.statistic), "chisquare_pvalue": float(chi.pvalue),
            "psi": float(np.sum((r_fill - c_fill) * np.log(r_fill / c_fill))),
            "jensenshannon_2": float(distance.jensenshannon(r_raw, c_raw, 2)),
            "hellinger": hellinger_categorical(a, b),
        })

    for table, correction in [
        ([[30, 10], [20, 25]], True), ([[30, 10], [20, 25]], False), ([[5, 1], [2, 9]], True),
        ([[120, 80, 40, 10, 3], [100, 90, 60, 20, 9]], True), ([[1000, 1], [900, 120]], True),
        ([[10, 20, 30], [10, 20, 30]], True),
    ]:
        r = stats.chi2_contingency(np.array(table), correction=correction)
        out["contingency"].append({"table": table, "correction": correction, "statistic": float(r[0]), "pvalue": float(r[1]), "dof": int(r[2])})

    for h1, n1, h2, n2 in [(30, 100, 45, 120), (500, 1000, 520, 1000), (5, 1000, 90, 1000), (10, 20000, 400, 20000), (0, 50, 0, 60), (7, 7, 3, 3)]:
        p1, p2 = h1 / n1, h2 / n2
        pooled = (h1 + h2) / (n1 + n2)
        var = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
        z = 0.0 if var == 0 else (p1 - p2) / math.sqrt(var)
        p = 1.0 if var == 0 else 2 * stats.norm.sf(abs(z))
        out["proportions"].append({"hits1": h1, "n1": n1, "hits2": h2, "n2": n2, "z": z, "pvalue": float(p)})

    from sklearn import metrics
    out["classification"] = []
    for name, spec in [
        ("informative scores", {"seed": 70, "n": 500, "rate": 1.0, "threshold": 0.5}),
        ("tied scores on a 0.1 grid", {"seed": 71, "n": 400, "quantum": 10, "rate": 1.0, "threshold": 0.5}),
        ("rare positives", {"seed": 72, "n": 2000, "rate": 0.05, "threshold": 0.5}),
        ("nothing predicted positive", {"seed": 73, "n": 300, "rate": 1.0, "threshold": 1.5}),
        ("scores of exactly 0 (clipped log loss)", {"seed": 74, "n": 200, "quantum": 2, "rate": 1.5, "threshold": 0.5}),
    ]:
        y, score, pred = classification(spec)
        out["classification"].append({
            "name": name, "spec": spec,
            "accuracy": float(metrics.accuracy_score(y, pred)),
            "precision": float(metrics.precision_score(y, pred, zero_division=0)),
            "recall": float(metrics.recall_score(y, pred, zero_division=0)),
            "f1": float(metrics.f1_score(y, pred, zero_division=0)),
            "roc_auc": float(metrics.roc_auc_score(y, score)),
            "log_loss": float(metrics.log_loss(y, score, labels=[False, True])),
        })
    out["regression"] = []
    for name, actual_spec, predicted_spec in [
        ("noisy predictions", g(80, 500), g(81, 500, -1.5, 1.0)),
        ("biased predictions", g(82, 300, 2.0, 3.0), g(83, 300, 2.5, 3.0)),
        ("constant actual values", {"values": [1.0] * 10}, g(84, 10)),
        ("single sample (R2 undefined)", {"values": [3.0]}, {"values": [2.5]}),
        ("zero actual values (MAPE divides by machine epsilon)", {"values": [0.0, 1.0, -2.0, 0.0, 4.0]}, {"values": [0.5, 1.5, -1.0, 0.0, 3.0]}),
    ]:
        actual = generate(actual_spec)
        predicted = generate(predicted_spec)
        if "values" not in actual_spec:
            predicted = actual + predicted * 0.1
        out["regression"].append({
            "name": name, "actual": actual_spec, "predicted": predicted_spec, "mix": "values" not in actual_spec,
            "mae": float(metrics.mean_absolute_error(actual, predicted)),
            "rmse": float(math.sqrt(metrics.mean_squared_error(actual, predicted))),
            "r2": float(metrics.r2_score(actual, predicted)),
            "mse": float(metrics.mean_squared_error(actual, predicted)),
            "mape": float(metrics.mean_absolute_percentage_error(actual, predicted)),
        })

    # Reference quantile bins: numpy's default (linear) quantiles at 0, 0.1, ..., 1, repeated edges merged.
    out["quantiles"] = []
    for name, spec in [("smooth", g(90, 1000)), ("ties on a 0.5 grid", g(91, 400, quantum=2)), ("small", g(92, 7))]:
        values = generate(spec)
        edges = np.unique(np.quantile(values, np.linspace(0, 1, 11)))
        out["quantiles"].append({"name": name, "sample": spec, "bins": 10, "edges": [float(e) for e in edges]})

    # River's documented examples (river/drift/{page_hinkley,adwin}.py, river/drift/binary/ddm.py docstrings): the
    # streams come from Python's own random module here, the expected indices from River's documentation.
    import random
    rng = random.Random(12345)
    two_laws = rng.choices([0, 1], k=1000) + rng.choices(range(4, 8), k=1000)
    rng = random.Random(42)
    errors = rng.choices([0, 1], k=1000) + rng.choices([0, 1], k=1000, weights=[0.3, 0.7])
    out["river"] = {
        "two_laws": two_laws, "page_hinkley_changes": [1006], "adwin_changes": [1023],
        "errors": errors, "ddm_first_warning": 1084, "ddm_changes": [1334], "ddm_warning_after_change": 1492,
    }

    # scipy's time for the benchmark sizes (1,000,000 vs 1,000,000), for docs/benchmarks.md.
    a, b = generate(g(60, 1_000_000)), generate(g(61, 1_000_000, 0.001))
    started = time.perf_counter(); stats.ks_2samp(a, b); ks_time = time.perf_counter() - started
    started = time.perf_counter(); stats.wasserstein_distance(a, b); w_time = time.perf_counter() - started
    print(f"scipy on 1,000,000 vs 1,000,000: ks_2samp {ks_time * 1000:.0f} ms, wasserstein_distance {w_time * 1000:.0f} ms", file=sys.stderr)
    json.dump(finite(out), sys.stdout, indent=1, allow_nan=False)


def finite(value):
    """JSON has no infinities: they are written as the strings "Infinity" and "-Infinity" (and NaN as "NaN")."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [finite(v) for v in value]
    return value


if __name__ == "__main__":
    main()
