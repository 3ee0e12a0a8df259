#!/usr/bin/python3
"""Writes the reference vectors for the drift tests Evidently offers beyond KS, chi-square, Z, Wasserstein, PSI, JS and
Hellinger: Mann-Whitney U, Student's and Welch's t-tests, energy distance, the G-test, Fisher's exact test, the
Kullback-Leibler divergence over Evidently's bins, the total variation distance, Anderson-Darling, Cramér-von Mises,
Epps-Singleton and Evidently's empirical maximum mean discrepancy, as scipy and numpy compute them; and the permutation
p-values of Evidently's TVD and empirical MMD tests as Evidently draws them (numpy's legacy generator, np.random.seed).

Run with Debian's interpreter, which has python3-scipy:
    /usr/bin/python3 tools/reference/drift_tests_vectors.py > tests/MlOps.Sdk.Monitoring.Tests/Reference/drift_tests.json

Samples come from the generator of drift_vectors.py (a 64-bit LCG), so the file stays small.
"""
import json
import math
import os
import sys
import warnings

import numpy as np
import scipy
from scipy import stats
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from drift_vectors import binned, categories, g, generate  # noqa: E402


def repeat(values, counts):
    """pandas' Series(values).repeat(counts), as Evidently's tests build samples."""
    return {"values": [float(v) for v, c in zip(values, counts) for _ in range(c)]}


MANN_WHITNEY = [
    ("exact: 5 vs 7, no ties", {"values": [1.2, 3.4, 0.5, 2.2, 4.1]}, {"values": [2.5, 3.9, 5.0, 1.1, 4.4, 6.0, 3.3]}),
    ("exact: 8 vs 8, shifted", g(101, 8), g(102, 8, 0.6)),
    ("exact: 1 vs 1", {"values": [1.0]}, {"values": [2.0]}),
    ("exact: 9 vs 8 (one sample of at most 8)", g(103, 9), g(104, 8, 0.3)),
    ("exact: 2000 vs 6", g(112, 2000), g(113, 6, 0.4)),
    ("asymptotic: 9 vs 9", g(114, 9), g(115, 9, 0.3)),
    ("asymptotic: ties on a 0.1 grid", g(105, 200, quantum=10), g(106, 300, 0.1, quantum=10)),
    ("asymptotic: heavy ties (Evidently's counts)", repeat([1, 2, 3, 4, 5, 6], [16, 18, 16, 14, 12, 12]), repeat([1, 2, 3, 4, 5, 6], [16, 16, 16, 16, 16, 8])),
    ("asymptotic: 5000 vs 4000, small shift", g(107, 5000), g(108, 4000, 0.02)),
    ("asymptotic: identical samples", g(109, 100), g(109, 100)),
    ("asymptotic: constant and equal", {"values": [3.0] * 20}, {"values": [3.0] * 30}),
    ("asymptotic: far apart", g(110, 300), g(111, 300, 5.0)),
]

T_TESTS = [
    ("Evidently's example", {"values": [38.7, 41.5, 43.8, 44.5, 45.5, 46.0, 47.7, 58.0]}, {"values": [39.2, 39.3, 39.7, 41.4, 41.8, 42.9, 43.3, 45.8]}),
    ("2 vs 3", {"values": [1.0, 2.0]}, {"values": [2.5, 3.0, 4.5]}),
    ("unequal variances", g(120, 40), g(121, 90, 0.2, 3.0)),
    ("large samples, tiny shift", g(122, 20000), g(123, 15000, 0.005)),
    ("far apart (a p-value far in the tail)", g(124, 500), g(125, 500, 2.0)),
    ("same sample", g(126, 50), g(126, 50)),
]

ENERGY = [
    ("Evidently's example", {"values": [38.7, 41.5, 43.8, 44.5, 45.5, 46.0, 47.7, 58.0]}, {"values": [38.7, 41.5, 43.8, 44.5, 45.5, 46.0, 47.7, 58.0]}),
    ("Evidently's example, shifted by 5", {"values": [38.7, 41.5, 43.8, 44.5, 45.5, 46.0, 47.7, 58.0]}, {"values": [43.7, 46.5, 48.8, 49.5, 50.5, 51.0, 52.7, 63.0]}),
    ("unequal sizes", g(130, 300), g(131, 170, 0.3, 1.4)),
    ("ties", g(132, 400, quantum=4), g(133, 250, 0.25, quantum=4)),
    ("one value each", {"values": [1.0]}, {"values": [4.0]}),
    ("large", g(134, 50000), g(135, 40000, 0.01)),
]

G_TESTS = [
    ("Evidently's example", {"values": ["a"] * 5 + ["b"] * 5 + ["c"] * 8}, {"values": ["a"] * 4 + ["b"] * 6 + ["c"] * 8}),
    ("same categories", {"seed": 140, "n": 500, "k": 5}, {"seed": 141, "n": 400, "k": 5}),
    ("category gone from current", {"seed": 142, "n": 600, "k": 6}, {"seed": 143, "n": 200, "k": 4, "offset": 2}),
    ("shifted shares", {"seed": 144, "n": 5000, "k": 3}, {"seed": 145, "n": 3000, "k": 4}),
]

FISHER = [
    # Evidently's expectations, as its tests build them.
    ("Evidently 1", ["a", "b", "b", "a", "a", "b"] * 15, ["b", "b", "a", "b", "b", "a"] * 15),
    ("Evidently 2", ["a", "b", "b", "a", "a", "b"], ["a", "a", "a", "a", "a", "a"]),
    ("Evidently 3", ["a"] * 6, ["a"] * 6),
    ("Evidently 4", ["a", "b", "b", "b", "a", "b"], ["b", "b", "b", "a", "b", "a"]),
    ("Evidently 5", ["a"] * 6, ["b"] * 6),
    ("Evidently 6", ["a", "a", "a", "b", "b"] * 30, ["b", "b", "b", "a", "a"] * 30),
    ("large and lopsided", ["a"] * 900 + ["b"] * 100, ["a"] * 700 + ["b"] * 300),
]

KL = [
    ("numeric, shifted", g(150, 1000), g(151, 800, 0.3)),
    ("numeric, empty bins", g(152, 500), g(153, 400, 1.5, 0.5)),
    ("few distinct values", g(154, 300, quantum=2), g(155, 300, 0.5, quantum=2)),
]

ANDERSON = [
    ("Evidently's example", [{"values": [38.7, 41.5, 43.8, 44.5, 45.5, 46.0, 47.7, 58.0]}, {"values": [39.2, 39.3, 39.7, 41.4, 41.8, 42.9, 43.3, 45.8]}]),
    ("two samples, small shift", [g(160, 200), g(161, 150, 0.15)]),
    ("two samples of one law", [g(162, 300), g(163, 300)]),
    ("identical samples (p capped at 0.25)", [g(173, 200), g(173, 200)]),
    ("two samples, slight shift", [g(174, 500), g(175, 500, 0.04)]),
    ("two samples, far apart (p floored at 0.001)", [g(164, 100), g(165, 100, 1.0)]),
    ("ties on a 0.25 grid", [g(166, 400, quantum=4), g(167, 250, 0.1, quantum=4)]),
    ("three samples", [g(168, 100), g(169, 120, 0.1), g(170, 80, 0.2)]),
    ("large", [g(171, 20000), g(172, 15000, 0.02)]),
]

CRAMER_VON_MISES = [
    ("Evidently's example (normal samples, seeds 0 and 1)", {"values": [float(v) for v in stats.norm.rvs(size=100, random_state=0)]}, {"values": [float(v) for v in stats.norm.rvs(size=100, random_state=1)]}),
    ("exact: 5 vs 7", {"values": [1.2, 3.4, 0.5, 2.2, 4.1]}, {"values": [2.5, 3.9, 5.0, 1.1, 4.4, 6.0, 3.3]}),
    ("exact: 10 vs 12, shifted", g(180, 10), g(181, 12, 0.5)),
    ("exact: 20 vs 20", g(182, 20), g(183, 20, 0.2)),
    ("exact: 2 vs 20", g(184, 2), g(185, 20)),
    ("asymptotic: 21 vs 21", g(186, 21), g(187, 21, 0.2)),
    ("asymptotic: 150 vs 100", g(188, 150), g(189, 100, 0.1)),
    ("asymptotic: ties on a 0.1 grid", g(190, 300, quantum=10), g(191, 200, 0.05, quantum=10)),
    ("asymptotic: 5000 vs 4000, small shift", g(192, 5000), g(193, 4000, 0.02)),
    ("asymptotic: far apart", g(194, 200), g(195, 200, 1.5)),
    ("asymptotic: identical samples", g(196, 100), g(196, 100)),
]

TVD = [
    ("Evidently 1", repeat([1, 2, 3, 4, 5, 6], [16, 18, 16, 14, 12, 12]), repeat([1, 2, 3, 4, 5, 6], [16, 16, 16, 16, 16, 8])),
    ("Evidently 2", repeat([1, 2, 3, 4, 5, 6], [16, 18, 16, 14, 12, 12]), repeat([1, 2, 3, 4, 5, 6], [10, 10, 24, 24, 10, 10])),
    ("Evidently 3", repeat([1, 2, 3, 4, 5, 6], [16, 18, 16, 14, 12, 12]), repeat([1, 2, 3, 4, 5, 6], [0, 0, 0, 0, 0, 88])),
    ("Evidently 5", repeat([1, 2, 3, 4, 5, 6], [16, 18, 16, 14, 12, 12]), repeat([1, 2, 3, 4, 5, 6], [10, 24, 12, 16, 8, 16])),
]

TVD_TESTS = [
    ("Evidently 1", repeat([1, 2, 3, 4, 5, 6], [16, 18, 16, 14, 12, 12]), repeat([1, 2, 3, 4, 5, 6], [16, 16, 16, 16, 16, 8]), 1000, 0),
    ("Evidently 2", repeat([1, 2, 3, 4, 5, 6], [16, 18, 16, 14, 12, 12]), repeat([1, 2, 3, 4, 5, 6], [10, 10, 24, 24, 10, 10]), 1000, 0),
    ("Evidently 3", repeat([1, 2, 3, 4, 5, 6], [16, 18, 16, 14, 12, 12]), repeat([1, 2, 3, 4, 5, 6], [0, 0, 0, 0, 0, 88]), 1000, 0),
    ("Evidently 4", repeat([1, 2, 3, 4, 5, 6], [16, 18, 16, 14, 12, 12]), repeat([1, 2, 3, 4, 5, 6], [16, 18, 16, 14, 12, 12]), 1000, 0),
    ("Evidently 5", repeat([1, 2, 3, 4, 5, 6], [16, 18, 16, 14, 12, 12]), repeat([1, 2, 3, 4, 5, 6], [10, 24, 12, 16, 8, 16]), 1000, 0),
    ("strings, unseen category", {"values": list("abcabcaabbca")}, {"values": list("cbadcbaddcab")}, 1000, 0),
    ("12 categories (pairwise sum), 300 vs 200", {"seed": 240, "n": 300, "k": 12}, {"seed": 241, "n": 200, "k": 12, "offset": 1}, 1000, 0),
    ("unequal sizes, seed 5, 200 permutations", {"seed": 242, "n": 50, "k": 4}, {"seed": 243, "n": 170, "k": 4}, 200, 5),
    ("one value each", {"values": ["a"]}, {"values": ["b"]}, 1000, 0),
    ("disjoint", {"values": ["a", "a", "b"]}, {"values": ["c", "d"]}, 1000, 0),
]

MMD_DRAWS = [
    ("Evidently: ones vs zeros", {"values": [1.0] * 25}, {"values": [0.0] * 25}, 100, 0),
    ("Evidently: alternating vs alternating", {"values": [1.0, 0.0, 1.0, 0.0, 1.0] * 5}, {"values": [1.0, 0.0, 1.0, 0.0, 1.0] * 5}, 100, 0),
    ("Evidently: ones vs ones", {"values": [1.0] * 25}, {"values": [1.0] * 25}, 100, 0),
    ("Evidently: five values", {"values": [1.1, 0.2, 2.1, 0, 1]}, {"values": [1.0, 0, 2, 0, 1]}, 100, 0),
    ("Evidently: wide vs narrow", g(230, 100, -1.5, 1.0), g(231, 100, -0.3, 0.2), 100, 0),
    ("three values, 21 vs 20", {"values": [0.0, 1.0, 2.0] * 7}, {"values": [2.0, 1.0, 0.0, 1.0] * 5}, 100, 0),
    ("five values, 120 vs 100 (blocks past numpy's buffer)", g(232, 120, quantum=1, scale=2), g(233, 100, quantum=1, scale=2), 100, 0),
    ("30 vs 40, shifted, seed 3", g(220, 30), g(221, 40, 0.5), 100, 3),
    ("200 vs 150, small shift, 300 permutations", g(222, 200), g(223, 150, 0.15), 300, 0),
]


def evidently_tvd_test(reference, current, permutations, seed):
    """Evidently's tvd_test: its distance (shares summed in the order categories first appear) and permutation_test."""
    pooled = list(reference) + list(current)
    keys = list(dict.fromkeys(pooled))

    def distance(r, c):
        rc, cc = Counter(r), Counter(c)
        ref, cur = np.array([rc[k] for k in keys]), np.array([cc[k] for k in keys])
        return 0.5 * np.sum(np.abs(ref / sum(ref) - cur / sum(cur)))

    observed = distance(reference, current)
    np.random.seed(seed)
    permuted = []
    for _ in range(permutations):
        new_reference = np.random.choice(pooled, len(reference), replace=False).tolist()
        new_current = list((Counter(pooled) - Counter(new_reference)).elements())
        permuted.append(distance(new_reference, new_current))
    return observed, sum(observed <= np.abs(np.array(permuted))) / len(permuted)


def evidently_mmd_test(x, y, permutations, seed):
    """Evidently's mmd_pval after np.random.seed(seed). The kernel's exponentials are the C library's (math.exp): numpy's
    own exp on AVX-512 machines rounds some values differently, and rounding decides the tied permutations."""
    k = mmd_kernel(x, y, math_exp=True)
    nx, ny = len(x), len(y)

    def statistic(m):
        kxx, kyy, kxy = m[:-ny, :-ny], m[-ny:, -ny:], m[-ny:, :-ny]
        return 1 / (nx * (nx - 1)) * kxx.sum() + 1 / (ny * (ny - 1)) * kyy.sum() - 2.0 * kxy.mean()

    observed = statistic(k)
    np.random.seed(seed)
    permuted = []
    for _ in range(permutations):
        index = np.random.permutation(nx + ny)
        permuted.append(statistic(k[index][:, index]))
    return observed, float(np.mean(observed <= np.array(permuted)))


EPPS_SINGLETON = [
    ("small-sample correction: 5 vs 5", {"values": [1.2, 3.4, 0.5, 2.2, 4.1]}, {"values": [2.5, 3.9, 5.0, 1.1, 4.4]}, None),
    ("small-sample correction: 10 vs 20", g(200, 10), g(201, 20, 0.5), None),
    ("small-sample correction: 24 vs 24", g(202, 24), g(203, 24, 0.3), None),
    ("no correction: 25 vs 24", g(204, 25), g(205, 24, 0.3), None),
    ("300 vs 200, shifted", g(206, 300), g(207, 200, 0.2), None),
    ("ties on a 0.1 grid", g(208, 300, quantum=10), g(209, 200, 0.05, quantum=10), None),
    ("5000 vs 4000, small shift", g(210, 5000), g(211, 4000, 0.02), None),
    ("far apart", g(212, 200), g(213, 200, 3.0), None),
    ("identical samples", g(214, 100), g(214, 100), None),
    ("three points t = 0.2, 0.5, 1.0", g(215, 150), g(216, 120, 0.1), [0.2, 0.5, 1.0]),
    ("two values only: covariance of rank 1", repeat([0, 1], [10, 10]), repeat([0, 1], [6, 14]), None),
]

MMD = [
    ("30 vs 40, shifted", g(220, 30), g(221, 40, 0.5)),
    ("200 vs 150, small shift", g(222, 200), g(223, 150, 0.15)),
    ("100 vs 100, same distribution", g(224, 100), g(225, 100)),
    ("ties on a 0.1 grid", g(226, 120, quantum=10), g(227, 80, 0.05, quantum=10)),
    ("far apart", g(228, 50), g(229, 60, 3.0)),
]


def mmd_kernel(x, y, math_exp=False):
    """Evidently's empirical MMD kernel: RBF on y² − 2xy + x² (as numpy evaluates it), σ from x's median distance."""
    def dist(a, b):
        a, b = a.reshape(-1, 1), b.reshape(-1, 1)
        return (b ** 2).T - 2 * np.dot(a, b.T) + a ** 2
    dxx = dist(x, x)
    sigma = (0.5 * np.percentile(dxx.flatten(), 50, method="nearest")) ** 0.5
    sigma = sigma if sigma != 0 else 0.5 ** 0.5
    gamma = 1.0 / (2.0 * sigma ** 2)
    exp = np.vectorize(math.exp, otypes=[float]) if math_exp else np.exp
    kxx, kxy, kyy = exp(-gamma * dxx), exp(-gamma * dist(x, y)), exp(-gamma * dist(y, y))
    k = np.concatenate((np.concatenate((kxx, kxy), axis=1), np.concatenate((kxy.T, kyy), axis=1)), axis=0)
    return k - np.diag(np.diagonal(k))


def mmd_statistic(k, nx, ny, index=None):
    if index is not None:
        k = k[index][:, index]
    kxx, kyy, kxy = k[:nx, :nx], k[nx:, nx:], k[nx:, :nx]
    return kxx.sum() / (nx * (nx - 1)) + kyy.sum() / (ny * (ny - 1)) - 2.0 * kxy.mean()


def mmd(x, y, permutations, seed):
    """The statistic and its permutation p-value (share of permuted statistics at least as large), seeded."""
    k = mmd_kernel(x, y)
    statistic = mmd_statistic(k, len(x), len(y))
    rng = np.random.default_rng(seed)
    permuted = np.array([mmd_statistic(k, len(x), len(y), rng.permutation(len(x) + len(y))) for _ in range(permutations)])
    return statistic, float(np.mean(statistic <= permuted))


def num(x):
    """A float for JSON: non-finite values as the strings .NET parses ("Infinity", "-Infinity", "NaN")."""
    x = float(x)
    return x if np.isfinite(x) else ("NaN" if np.isnan(x) else ("Infinity" if x > 0 else "-Infinity"))


def sample(spec):
    if "values" in spec:
        return np.array(spec["values"], dtype=object if isinstance(spec["values"][0], str) else float)
    if "k" in spec:
        return categories(spec)
    return generate(spec)


def counts(reference, current):
    keys = sorted(set(reference) | set(current))
    return keys, np.array([np.sum(reference == k) for k in keys], dtype=float), np.array([np.sum(current == k) for k in keys], dtype=float)


def total_variation(reference, current):
    """Evidently's _total_variation_distance."""
    keys, r, c = counts(reference, current)
    return 0.5 * np.sum(np.abs(r / r.sum() - c / c.sum()))


def main():
    out = {"generator": "scipy %s, numpy %s" % (scipy.__version__, np.__version__)}
    out["mannwhitney"] = []
    for name, a_spec, b_spec in MANN_WHITNEY:
        a, b = sample(a_spec), sample(b_spec)
        for alternative in ("two-sided", "less", "greater"):
            r = stats.mannwhitneyu(a, b, alternative=alternative)
            out["mannwhitney"].append({"name": name, "reference": a_spec, "current": b_spec, "alternative": alternative, "statistic": num(r.statistic), "pvalue": num(r.pvalue)})

    out["ttest"] = []
    for name, a_spec, b_spec in T_TESTS:
        a, b = sample(a_spec), sample(b_spec)
        for equal in (True, False):
            r = stats.ttest_ind(a, b, equal_var=equal)
            out["ttest"].append({"name": name, "reference": a_spec, "current": b_spec, "equalVariances": equal, "statistic": num(r.statistic), "pvalue": num(r.pvalue)})

    out["energy"] = [{"name": n, "reference": a, "current": b, "distance": float(stats.energy_distance(sample(a), sample(b)))} for n, a, b in ENERGY]

    out["gtest"] = []
    for name, a_spec, b_spec in G_TESTS:
        a, b = sample(a_spec), sample(b_spec)
        keys, ref, cur = counts(a, b)
        with np.errstate(divide="ignore", invalid="ignore"):
            r = stats.power_divergence(cur, ref * (len(b) / len(a)), lambda_="log-likelihood")
        out["gtest"].append({"name": name, "reference": a_spec, "current": b_spec, "statistic": num(r.statistic), "pvalue": num(r.pvalue)})

    out["fisher"] = []
    for name, a, b in FISHER:
        a, b = np.array(a, dtype=object), np.array(b, dtype=object)
        keys = sorted(set(a) | set(b))
        if len(keys) == 1:
            keys = keys + ["~absent"]
        table = [[int(np.sum(a == keys[0])), int(np.sum(a == keys[1]))], [int(np.sum(b == keys[0])), int(np.sum(b == keys[1]))]]
        r = stats.fisher_exact(table, alternative="two-sided")
        out["fisher"].append({"name": name, "reference": {"values": list(a)}, "current": {"values": list(b)}, "table": table, "oddsRatio": num(r[0]), "pvalue": num(r[1])})

    out["kl"] = []
    for name, a_spec, b_spec in KL:
        a, b = sample(a_spec), sample(b_spec)
        r, c = binned(a, b, True)
        out["kl"].append({"name": name, "reference": a_spec, "current": b_spec, "divergence": float(stats.entropy(r, c))})

    out["anderson"] = []
    for name, specs in ANDERSON:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = stats.anderson_ksamp([sample(spec) for spec in specs])
        out["anderson"].append({"name": name, "samples": specs, "statistic": float(r.statistic), "pvalue": float(r.significance_level)})

    out["cramervonmises"] = []
    for name, a_spec, b_spec in CRAMER_VON_MISES:
        r = stats.cramervonmises_2samp(sample(a_spec), sample(b_spec))
        out["cramervonmises"].append({"name": name, "reference": a_spec, "current": b_spec, "statistic": float(r.statistic), "pvalue": float(r.pvalue)})

    out["tvd"] = []
    for name, a_spec, b_spec in TVD:
        a, b = sample(a_spec), sample(b_spec)
        out["tvd"].append({"name": name, "reference": a_spec, "current": b_spec, "distance": float(total_variation(a, b))})

    out["eppssingleton"] = []
    for name, a_spec, b_spec, points in EPPS_SINGLETON:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = stats.epps_singleton_2samp(sample(a_spec), sample(b_spec), **({"t": points} if points else {}))
        out["eppssingleton"].append({"name": name, "reference": a_spec, "current": b_spec, "points": points, "statistic": float(r.statistic), "pvalue": float(r.pvalue)})

    # The permutation p-value of a large run (20,000 permutations): a run of B permutations must fall within its
    # Monte-Carlo error, about sqrt(p(1 - p) / B).
    out["mmd"] = []
    for name, a_spec, b_spec in MMD:
        statistic, p = mmd(sample(a_spec), sample(b_spec), 20_000, 7)
        out["mmd"].append({"name": name, "reference": a_spec, "current": b_spec, "statistic": float(statistic), "pvalue": p, "permutations": 20_000})

    # numpy's legacy generator, which Evidently's permutation tests draw from: permutations after np.random.seed.
    out["numpyrandom"] = []
    for seed, n, draws in [(0, 10, 3), (1, 10, 1), (4294967295, 7, 1), (0, 1000, 2), (7, 100_000, 1)]:
        np.random.seed(seed)
        for draw in range(draws):
            perm = np.random.permutation(n)
            out["numpyrandom"].append({"name": f"seed {seed}, permutation {draw + 1} of {n}", "seed": seed, "n": n, "draw": draw,
                                       "head": perm[:50].tolist(), "tail": perm[-50:].tolist(), "weighted": int(np.sum(np.arange(n, dtype=np.int64) * perm) % 2**61)})

    out["tvdtest"] = []
    for name, a_spec, b_spec, permutations, seed in TVD_TESTS:
        a, b = sample(a_spec), sample(b_spec)
        a, b = [v if isinstance(v, str) else repr(float(v)) for v in a], [v if isinstance(v, str) else repr(float(v)) for v in b]
        statistic, p = evidently_tvd_test(a, b, permutations, seed)
        out["tvdtest"].append({"name": name, "reference": a_spec, "current": b_spec, "permutations": permutations, "seed": seed, "statistic": float(statistic), "pvalue": float(p)})

    out["mmddraws"] = []
    for name, a_spec, b_spec, permutations, seed in MMD_DRAWS:
        statistic, p = evidently_mmd_test(sample(a_spec), sample(b_spec), permutations, seed)
        out["mmddraws"].append({"name": name, "reference": a_spec, "current": b_spec, "permutations": permutations, "seed": seed, "statistic": float(statistic), "pvalue": p})

    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")
    if "--timings" in sys.argv:
        timings()


def timings():
    """scipy's time on the samples DriftStatisticsBenchmarks uses (1,000,000 vs 1,000,000), for docs/benchmarks.md."""
    a, b = generate(g(60, 1_000_000)), generate(g(61, 1_000_000, 0.001))
    ca, cb = categories({"seed": 62, "n": 1_000_000, "k": 20}), categories({"seed": 63, "n": 1_000_000, "k": 20})
    ba, bb = categories({"seed": 64, "n": 1_000_000, "k": 2}), categories({"seed": 65, "n": 1_000_000, "k": 2})

    def g_test():
        keys, r, c = np.unique(np.concatenate([ca, cb])), None, None
        r = np.array([np.count_nonzero(ca == k) for k in keys], dtype=float)
        c = np.array([np.count_nonzero(cb == k) for k in keys], dtype=float)
        return stats.power_divergence(c, r * (len(cb) / len(ca)), lambda_="log-likelihood")

    def tvd():
        keys = np.unique(np.concatenate([ca, cb]))
        r = np.array([np.count_nonzero(ca == k) for k in keys], dtype=float)
        c = np.array([np.count_nonzero(cb == k) for k in keys], dtype=float)
        return 0.5 * np.sum(np.abs(r / r.sum() - c / c.sum()))

    def fisher():
        return stats.fisher_exact([[np.count_nonzero(bb == 0), np.count_nonzero(bb == 1)], [np.count_nonzero(ba == 0), np.count_nonzero(ba == 1)]])

    def kl():
        r, c = binned(a, b, True)
        return stats.entropy(r, c)

    cases = [
        ("mannwhitneyu (less)", lambda: stats.mannwhitneyu(a, b, alternative="less")),
        ("ttest_ind", lambda: stats.ttest_ind(a, b)),
        ("energy_distance", lambda: stats.energy_distance(a, b)),
        ("anderson_ksamp", lambda: stats.anderson_ksamp([a, b])),
        ("cramervonmises_2samp", lambda: stats.cramervonmises_2samp(a, b)),
        ("kl_div (Evidently's bins + entropy)", kl),
        ("g_test (counts of 20 categories + power_divergence)", g_test),
        ("TVD (counts of 20 categories)", tvd),
        ("fisher_exact (counts of 2 categories)", fisher),
        ("epps_singleton_2samp", lambda: stats.epps_singleton_2samp(a, b)),
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, run in cases:
            best = min(_time(run) for _ in range(3))
            print(f"scipy on 1,000,000 vs 1,000,000: {name} {best * 1000:.0f} ms (best of 3)", file=sys.stderr)
    # Evidently's TVD test draws 1,000 permutations of the pooled 2,000,000 values with Python lists and Counters; a few
    # are timed and the rest extrapolated (the full run takes about half an hour).
    timed = 5
    best = min(_time(lambda: evidently_tvd_timing(ca, cb, timed)) for _ in range(2))
    print(f"Evidently's TVD test (pandas/numpy) on 1,000,000 vs 1,000,000 categories of 20: {best / timed * 1000:.0f} s for 1,000 permutations ({timed} timed)", file=sys.stderr)
    # Quadratic in time and memory: Evidently's empirical MMD (100 permutations) at 1,000 vs 1,000.
    small_a, small_b = a[:1000], b[:1000]
    best = min(_time(lambda: mmd(small_a, small_b, 100, 7)) for _ in range(3))
    print(f"numpy on 1,000 vs 1,000: empirical MMD, 100 permutations {best * 1000:.0f} ms (best of 3)", file=sys.stderr)


def evidently_tvd_timing(reference, current, permutations):
    """Evidently's tvd_test as written (pandas Series, value_counts, Counter), for its time only."""
    import pandas as pd
    reference, current = pd.Series(reference.astype(int)), pd.Series(current.astype(int))

    def distance(r, c):
        keys = list(set(r.dropna().unique()) | set(c.dropna().unique()))
        ref = list({**dict.fromkeys(keys, 0), **dict(r.value_counts())}.values())
        cur = list({**dict.fromkeys(keys, 0), **dict(c.value_counts())}.values())
        return 0.5 * np.sum(np.abs(ref / sum(ref) - cur / sum(cur)))

    observed = distance(reference, current)
    np.random.seed(0)
    permuted = []
    for _ in range(permutations):
        combined = reference.tolist() + current.tolist()
        new_reference = np.random.choice(combined, len(reference), replace=False).tolist()
        new_current = list((Counter(combined) - Counter(new_reference)).elements())
        permuted.append(distance(pd.Series(new_reference), pd.Series(new_current)))
    return sum(observed <= np.abs(np.array(permuted))) / len(permuted)


def _time(run):
    import time
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
