using MlOps.Sdk.Monitoring.Statistics;

namespace MlOps.Sdk.Monitoring;

/// <summary>
/// A feature's window under the test chosen for it (<see cref="DriftOptions.FeatureTests"/> and the kinds' tests). A
/// window the test cannot take (a t-test of one value, Fisher's test of a column with three categories) gets no verdict:
/// score NaN, not drifted.
/// </summary>
internal static class ChosenTests
{
    /// <summary>A numeric feature: the reference's sorted finite values against the window's.</summary>
    public static FeatureDrift Numeric(FeatureProfile feature, DriftTest test, ReadOnlySpan<double> current, DriftOptions options, int missing, int nonFinite)
    {
        var reference = feature.Values;
        var effect = options.EffectSizeFloor > 0 ? Distances.WassersteinSorted(reference, current) / feature.Norm : 0;
        TestResult result;
        try
        {
            result = test.Name switch
            {
                "ks" => KolmogorovSmirnov.TwoSampleSorted(reference, current),
                "wasserstein" => Distance(Distances.WassersteinSorted(reference, current) / feature.Norm),
                "mannw" => MannWhitney.Test(reference, current, TwoSampleAlternative.Less),
                "t_test" => TTest.Independent(reference, current),
                "ed" => Distance(Distances.Energy(reference, current)),
                "cramer_von_mises" => Statistics.CramerVonMises.TwoSample(reference, current),
                "anderson" => AndersonDarling.KSample(reference, current.ToArray()),
                "es" => EppsSingleton.Test(reference, current),
                "empirical_mmd" => MaximumMeanDiscrepancy.Test(Spread(reference, MmdValues), Spread(current, MmdValues)),
                "psi" => Distance(Distances.PopulationStabilityIndex(BinnedShares.Evidently(reference, current, fillEmpty: true))),
                "kl_div" => Distance(Distances.KullbackLeibler(BinnedShares.Evidently(reference, current, fillEmpty: true))),
                "jensenshannon" => Distance(JensenShannon(BinnedShares.Evidently(reference, current, fillEmpty: false))),
                "hellinger" => Distance(Distances.HellingerNumeric(reference, current)),
                _ => throw new InvalidOperationException($"'{test.Name}' is not a numeric test."),
            };
        }
        catch (MlOpsValidationException)
        {
            result = NoVerdict;
        }

        return Verdict(feature, test, result, options, current.Length, missing, nonFinite, 0, effect);
    }

    /// <summary>A categorical feature (or numbers read as categories): the counts of each category on both sides.</summary>
    public static FeatureDrift Counts(FeatureProfile feature, DriftTest test, SortedDictionary<string, (long Reference, long Current)> counts, double[] referenceShares, double[] currentShares, double jensenShannon, int currentSize, int missing, int nonFinite, int unseen, DriftOptions options)
    {
        TestResult result;
        try
        {
            result = test.Name switch
            {
                "jensenshannon" => Distance(jensenShannon),
                "psi" => Distance(Distances.PopulationStabilityIndex(BinnedShares.Of(referenceShares, currentShares, fillEmpty: true))),
                "kl_div" => Distance(Distances.KullbackLeibler(BinnedShares.Of(referenceShares, currentShares, fillEmpty: true))),
                "hellinger" => Distance(Distances.Hellinger(BinnedShares.Of(referenceShares, currentShares, fillEmpty: false))),
                "g_test" => HypothesisTests.GTest([.. currentShares.Select(s => s * currentSize)], [.. referenceShares.Select(s => s * currentSize)]),
                "fisher_exact" => Fisher(counts),
                "TVD" => Statistics.TotalVariation.TestCounts([.. counts.Values.Select(c => c.Reference)], [.. counts.Values.Select(c => c.Current)]),
                _ => throw new InvalidOperationException($"'{test.Name}' is not a categorical test."),
            };
        }
        catch (MlOpsValidationException)
        {
            result = NoVerdict;
        }

        var verdict = Verdict(feature, test, result, options, currentSize, missing, nonFinite, unseen, jensenShannon);
        return test.Name == "g_test" && double.IsFinite(verdict.Score) ? verdict with { DegreesOfFreedom = counts.Count - 1 } : verdict;
    }

    /// <summary>The most values of each side the monitor's empirical MMD tests (its cost is quadratic).</summary>
    private const int MmdValues = 1_000;

    /// <summary>At most <paramref name="count"/> evenly spaced order statistics of sorted values (all of them when fewer).</summary>
    internal static double[] Spread(ReadOnlySpan<double> sorted, int count)
    {
        if (sorted.Length <= count)
        {
            return sorted.ToArray();
        }

        var spread = new double[count];
        for (var i = 0; i < count; i++)
        {
            spread[i] = sorted[(int)Math.Round((double)i * (sorted.Length - 1) / (count - 1))];
        }

        return spread;
    }

    private static double JensenShannon(BinnedShares shares) => Distances.JensenShannon(shares.Reference, shares.Current, 2);

    /// <summary>A distance: the score and the statistic at once.</summary>
    private static TestResult Distance(double distance) => new(distance, distance);

    private static readonly TestResult NoVerdict = new(double.NaN, double.NaN);

    private static TestResult Fisher(SortedDictionary<string, (long Reference, long Current)> counts)
    {
        if (counts.Count > 2)
        {
            return NoVerdict;
        }

        var (reference, current) = counts.First().Value;
        long referenceTotal = counts.Values.Sum(c => c.Reference), currentTotal = counts.Values.Sum(c => c.Current);
        return HypothesisTests.FisherExact(current, currentTotal - current, reference, referenceTotal - reference);
    }

    private static FeatureDrift Verdict(FeatureProfile feature, DriftTest test, TestResult result, DriftOptions options, int values, int missing, int nonFinite, int unseen, double effect)
    {
        var score = test.IsPValue ? result.PValue : result.Statistic;
        if (double.IsNaN(score))
        {
            return new FeatureDrift(feature.Name, feature.Kind, test.Name, double.NaN, test.Threshold, false, values, missing, nonFinite, unseen);
        }

        return test.IsPValue
            ? DriftEvaluator.PValue(feature, test, result, options, values, missing, nonFinite, unseen, effect)
            : new FeatureDrift(feature.Name, feature.Kind, test.Name, score, test.Threshold, test.Drifts(score), values, missing, nonFinite, unseen) { Statistic = score };
    }
}
