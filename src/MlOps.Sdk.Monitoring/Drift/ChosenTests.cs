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
        double score;
        try
        {
            score = test.Name switch
            {
                "ks" => KolmogorovSmirnov.TwoSampleSorted(reference, current).PValue,
                "wasserstein" => Distances.WassersteinSorted(reference, current) / feature.Norm,
                "mannw" => MannWhitney.Test(reference, current, TwoSampleAlternative.Less).PValue,
                "t_test" => TTest.Independent(reference, current).PValue,
                "ed" => Distances.Energy(reference, current),
                "cramer_von_mises" => Statistics.CramerVonMises.TwoSample(reference, current).PValue,
                "anderson" => AndersonDarling.KSample(reference, current.ToArray()).PValue,
                "es" => EppsSingleton.Test(reference, current).PValue,
                "empirical_mmd" => MaximumMeanDiscrepancy.Test(Spread(reference, MmdValues), Spread(current, MmdValues)).PValue,
                "psi" => Distances.PopulationStabilityIndex(BinnedShares.Evidently(reference, current, fillEmpty: true)),
                "kl_div" => Distances.KullbackLeibler(BinnedShares.Evidently(reference, current, fillEmpty: true)),
                "jensenshannon" => JensenShannon(BinnedShares.Evidently(reference, current, fillEmpty: false)),
                "hellinger" => Distances.HellingerNumeric(reference, current),
                _ => throw new InvalidOperationException($"'{test.Name}' is not a numeric test."),
            };
        }
        catch (MlOpsValidationException)
        {
            score = double.NaN;
        }

        return Verdict(feature, test, score, options, current.Length, missing, nonFinite, 0, effect);
    }

    /// <summary>A categorical feature (or numbers read as categories): the counts of each category on both sides.</summary>
    public static FeatureDrift Counts(FeatureProfile feature, DriftTest test, SortedDictionary<string, (long Reference, long Current)> counts, double[] referenceShares, double[] currentShares, double jensenShannon, int currentSize, int missing, int nonFinite, int unseen, DriftOptions options)
    {
        double score;
        try
        {
            score = test.Name switch
            {
                "jensenshannon" => jensenShannon,
                "psi" => Distances.PopulationStabilityIndex(BinnedShares.Of(referenceShares, currentShares, fillEmpty: true)),
                "kl_div" => Distances.KullbackLeibler(BinnedShares.Of(referenceShares, currentShares, fillEmpty: true)),
                "hellinger" => Distances.Hellinger(BinnedShares.Of(referenceShares, currentShares, fillEmpty: false)),
                "g_test" => HypothesisTests.GTest([.. currentShares.Select(s => s * currentSize)], [.. referenceShares.Select(s => s * currentSize)]).PValue,
                "fisher_exact" => Fisher(counts),
                _ => throw new InvalidOperationException($"'{test.Name}' is not a categorical test."),
            };
        }
        catch (MlOpsValidationException)
        {
            score = double.NaN;
        }

        return Verdict(feature, test, score, options, currentSize, missing, nonFinite, unseen, jensenShannon);
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

    private static double Fisher(SortedDictionary<string, (long Reference, long Current)> counts)
    {
        if (counts.Count > 2)
        {
            return double.NaN;
        }

        var (reference, current) = counts.First().Value;
        long referenceTotal = counts.Values.Sum(c => c.Reference), currentTotal = counts.Values.Sum(c => c.Current);
        return HypothesisTests.FisherExact(current, currentTotal - current, reference, referenceTotal - reference).PValue;
    }

    private static FeatureDrift Verdict(FeatureProfile feature, DriftTest test, double score, DriftOptions options, int values, int missing, int nonFinite, int unseen, double effect)
    {
        if (double.IsNaN(score))
        {
            return new FeatureDrift(feature.Name, feature.Kind, test.Name, double.NaN, test.Threshold, false, values, missing, nonFinite, unseen);
        }

        return test.IsPValue
            ? DriftEvaluator.PValue(feature, test, score, options, values, missing, nonFinite, unseen, effect)
            : new FeatureDrift(feature.Name, feature.Kind, test.Name, score, test.Threshold, test.Drifts(score), values, missing, nonFinite, unseen);
    }
}
