using MlOps.Sdk.Monitoring.Statistics;

namespace MlOps.Sdk.Monitoring;

/// <summary>
/// Tests a window against a reference profile with Evidently's default test selection: for a reference of at most
/// 1,000 values, Kolmogorov-Smirnov for numbers with more than 5 distinct values, else chi-square (more than 2 distinct)
/// or the two-proportion Z-test, p &lt; 0.05 drifting; for larger references, the normed Wasserstein distance for
/// numbers with more than 5 distinct values, else the Jensen-Shannon distance (base 2), ≥ 0.1 drifting.
/// </summary>
internal static class DriftEvaluator
{
    private const int SmallReference = 1_000;

    /// <summary>Tests the window's columns (which it sorts and compacts in place) against the reference.</summary>
    public static DriftReport Evaluate(ReferenceProfile reference, DriftOptions options, double[][] numeric, string?[][] categorical, int rows)
    {
        using var activity = MonitoringTelemetry.Source.StartActivity("mlops.drift.evaluate");
        activity?.SetTag("mlops.drift.rows", rows);
        activity?.SetTag("mlops.drift.features", reference.Features.Count);
        var results = new List<FeatureDrift>(reference.Features.Count);
        var (n, c) = (0, 0);
        foreach (var feature in reference.Features)
        {
            results.Add(feature.Kind == FeatureKind.Numeric
                ? Numeric(feature, numeric[n++].AsSpan(0, rows), options)
                : Categorical(feature, categorical[c++].AsSpan(0, rows), options));
        }

        var report = new DriftReport(Correct(results, options), rows, options.DatasetDriftShare);
        if (activity is not null)
        {
            activity.SetTag("mlops.drift.features_drifted", report.Features.Count(f => f.Drifted));
            activity.SetTag("mlops.drift.dataset_drifted", report.DatasetDrifted);
        }

        return report;
    }

    private static FeatureDrift Numeric(FeatureProfile feature, Span<double> window, DriftOptions options)
    {
        // Finite values to the front, sorted in place: no copy.
        int missing = 0, nonFinite = 0, count = 0;
        foreach (var x in window)
        {
            if (double.IsNaN(x))
            {
                missing++;
            }
            else if (double.IsInfinity(x))
            {
                nonFinite++;
            }
            else
            {
                window[count++] = x;
            }
        }

        var current = window[..count];
        if (current.IsEmpty || feature.Values.Length == 0)
        {
            return new FeatureDrift(feature.Name, feature.Kind, "none", double.NaN, double.NaN, false, count, missing, nonFinite, 0);
        }

        current.Sort();
        // Outside the reference's range: before its minimum or past its maximum in the sorted window.
        var below = current.IndexOfAnyInRange(feature.Min, double.PositiveInfinity) is var first and >= 0 ? first : current.Length;
        var above = current.Length - 1 - current.LastIndexOfAnyInRange(double.NegativeInfinity, feature.Max);
        var result = NumericTest(feature, current, options, missing, nonFinite) with { OutOfRange = below + above };
        return WithNumericChart(result, feature.Values, current);
    }

    private static FeatureDrift WithNumericChart(FeatureDrift result, ReadOnlySpan<double> reference, ReadOnlySpan<double> current) =>
        result.Distributions is null ? result with { Distributions = Distributions.Numeric(reference, current) } : result;

    private static FeatureDrift NumericTest(FeatureProfile feature, Span<double> current, DriftOptions options, int missing, int nonFinite)
    {
        var count = current.Length;
        var chosen = options.TestFor(feature);
        if (chosen is { Name: not ("chisquare" or "z") })
        {
            return ChosenTests.Numeric(feature, chosen, current, options, missing, nonFinite);
        }

        if (chosen is null && MoreThanFiveDistinct(feature.Values, current))
        {
            if (feature.Values.Length <= SmallReference)
            {
                var ks = KolmogorovSmirnov.TwoSampleSorted(feature.Values, current);
                var effect = options.EffectSizeFloor > 0 ? Distances.WassersteinSorted(feature.Values, current) / feature.Norm : 0;
                return PValue(feature, DriftTest.KolmogorovSmirnov(options.PValueThreshold), ks, options, count, missing, nonFinite, 0, effect);
            }

            var distance = Distances.WassersteinSorted(feature.Values, current) / feature.Norm;
            return new FeatureDrift(feature.Name, feature.Kind, "wasserstein", distance, options.DistanceThreshold, distance >= options.DistanceThreshold, count, missing, nonFinite, 0) { Statistic = distance };
        }

        var counts = Counts(feature.Values.Select(Key), current.ToArray().Select(Key));
        return FromCounts(feature, feature.Values.Length, counts, count, missing, nonFinite, options, numericKeys: true);

        static string Key(double v) => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Whether the two sorted samples hold more than five distinct values together (Evidently's cut-off).</summary>
    private static bool MoreThanFiveDistinct(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        int i = 0, j = 0, distinct = 0;
        var last = double.NaN;
        while (i < a.Length || j < b.Length)
        {
            var x = j >= b.Length || (i < a.Length && a[i] <= b[j]) ? a[i++] : b[j++];
            if (distinct == 0 || x != last)
            {
                if (++distinct > 5)
                {
                    return true;
                }

                last = x;
            }
        }

        return false;
    }

    private static FeatureDrift Categorical(FeatureProfile feature, ReadOnlySpan<string?> window, DriftOptions options)
    {
        var current = new Dictionary<string, long>(StringComparer.Ordinal);
        var missing = 0;
        var usable = 0;
        foreach (var value in window)
        {
            if (value is null)
            {
                missing++;
                continue;
            }

            current[value] = current.GetValueOrDefault(value) + 1;
            usable++;
        }

        var referenceSize = feature.Categories.Values.Sum();
        if (usable == 0 || referenceSize == 0)
        {
            return new FeatureDrift(feature.Name, feature.Kind, "none", double.NaN, double.NaN, false, usable, missing, 0, 0);
        }

        var counts = new SortedDictionary<string, (long Reference, long Current)>(StringComparer.Ordinal);
        foreach (var (key, count) in feature.Categories)
        {
            counts[key] = (count, 0);
        }

        foreach (var (key, count) in current)
        {
            counts[key] = (counts.GetValueOrDefault(key).Reference, count);
        }

        return FromCounts(feature, referenceSize, counts, usable, missing, 0, options, numericKeys: false);
    }

    private static SortedDictionary<string, (long Reference, long Current)> Counts(IEnumerable<string> reference, IEnumerable<string> current)
    {
        var counts = new SortedDictionary<string, (long Reference, long Current)>(StringComparer.Ordinal);
        foreach (var key in reference)
        {
            var c = counts.GetValueOrDefault(key);
            counts[key] = (c.Reference + 1, c.Current);
        }

        foreach (var key in current)
        {
            var c = counts.GetValueOrDefault(key);
            counts[key] = (c.Reference, c.Current + 1);
        }

        return counts;
    }

    private static FeatureDrift FromCounts(FeatureProfile feature, long referenceSize, SortedDictionary<string, (long Reference, long Current)> counts, int currentSize, int missing, int nonFinite, DriftOptions options, bool numericKeys)
    {
        var chart = Distributions.Categories(counts, referenceSize, currentSize);
        var unseen = counts.Values.Where(c => c.Reference == 0).Sum(c => c.Current);
        return FromCountsTest(feature, referenceSize, counts, currentSize, missing, nonFinite, options, numericKeys) with { Distributions = chart, UnseenValues = (int)unseen };
    }

    private static FeatureDrift FromCountsTest(FeatureProfile feature, long referenceSize, SortedDictionary<string, (long Reference, long Current)> counts, int currentSize, int missing, int nonFinite, DriftOptions options, bool numericKeys)
    {
        var unseen = counts.Values.Count(v => v.Reference == 0);
        var referenceShares = counts.Values.Select(v => (double)v.Reference / referenceSize).ToArray();
        var currentShares = counts.Values.Select(v => (double)v.Current / currentSize).ToArray();
        var jensenShannon = Distances.JensenShannon(referenceShares, currentShares, 2);
        var chosen = options.TestFor(feature);
        if (chosen is not null && chosen.Name is not ("chisquare" or "z"))
        {
            return ChosenTests.Counts(feature, chosen, counts, referenceShares, currentShares, jensenShannon, currentSize, missing, nonFinite, unseen, options);
        }

        if (referenceSize > SmallReference && chosen is null)
        {
            return new FeatureDrift(feature.Name, feature.Kind, "jensenshannon", jensenShannon, options.DistanceThreshold, jensenShannon >= options.DistanceThreshold, currentSize, missing, nonFinite, unseen) { Statistic = jensenShannon };
        }

        if ((counts.Count > 2 && chosen is null) || chosen?.Name == "chisquare")
        {
            var scale = (double)currentSize / referenceSize;
            var observed = counts.Values.Select(v => (double)v.Current).ToArray();
            var expected = counts.Values.Select(v => v.Reference * scale).ToArray();
            var chi = HypothesisTests.ChiSquareGoodnessOfFit(observed, expected);
            return PValue(feature, chosen ?? DriftTest.ChiSquare(options.PValueThreshold), chi, options, currentSize, missing, nonFinite, unseen, jensenShannon) with { DegreesOfFreedom = counts.Count - 1 };
        }

        // Two values or fewer: the share of "not the first value" on each side (Evidently's Z-test; the first value in order).
        var first = numericKeys
            ? counts.Keys.OrderBy(k => double.Parse(k, System.Globalization.CultureInfo.InvariantCulture)).First()
            : counts.Keys.First();
        var (referenceFirst, currentFirst) = counts[first];
        var z = HypothesisTests.TwoProportionZ(referenceSize - referenceFirst, referenceSize, currentSize - currentFirst, currentSize);
        return PValue(feature, chosen ?? DriftTest.Z(options.PValueThreshold), z, options, currentSize, missing, nonFinite, unseen, jensenShannon);
    }

    /// <summary>A p-value verdict: below the test's threshold, and the shift at least the effect-size floor.</summary>
    internal static FeatureDrift PValue(FeatureProfile feature, DriftTest test, TestResult result, DriftOptions options, int values, int missing, int nonFinite, int unseen, double effect)
    {
        var drifted = test.Drifts(result.PValue) && effect >= options.EffectSizeFloor;
        return new FeatureDrift(feature.Name, feature.Kind, test.Name, result.PValue, test.Threshold, drifted, values, missing, nonFinite, unseen) { Statistic = result.Statistic };
    }

    private static FeatureDrift Corrected(FeatureDrift verdict, double threshold)
    {
        var test = DriftTest.All.FirstOrDefault(t => t.Name == verdict.Test);
        var drifts = test is null ? verdict.Score < threshold : (test with { Threshold = threshold }).Drifts(verdict.Score);
        return verdict with { Threshold = threshold, Drifted = verdict.Drifted && drifts };
    }

    /// <summary>Applies the multiple-testing correction to the p-value verdicts.</summary>
    private static List<FeatureDrift> Correct(List<FeatureDrift> results, DriftOptions options)
    {
        var tests = results.Where(r => r.IsPValue).ToList();
        if (options.Correction == MultipleTestingCorrection.None || tests.Count < 2)
        {
            return results;
        }

        var alpha = options.PValueThreshold;
        if (options.Correction == MultipleTestingCorrection.Bonferroni)
        {
            // Each feature at its own threshold over the number of p-value tests, under its own test's rule.
            return results.Select(r => r.IsPValue ? Corrected(r, r.Threshold / tests.Count) : r).ToList();
        }

        // Benjamini-Hochberg at PValueThreshold: the largest p(k) with p(k) ≤ k/m·α; every p at or below it is a discovery.
        var sorted = tests.Select(t => t.Score).Order().ToArray();
        double cutoff = 0;
        for (var k = sorted.Length; k >= 1; k--)
        {
            if (sorted[k - 1] <= k * alpha / sorted.Length)
            {
                cutoff = sorted[k - 1];
                break;
            }
        }

        return results.Select(r => r.IsPValue ? r with { Threshold = cutoff, Drifted = r.Drifted && r.Score <= cutoff } : r).ToList();
    }
}
