using System.Text.Json;
using MlOps.Sdk.Monitoring.Statistics;
using Xunit;
using static MlOps.Sdk.Monitoring.Tests.Precision;

namespace MlOps.Sdk.Monitoring.Tests;

/// <summary>
/// The drift tests Evidently offers beyond the default ones, against <c>drift_tests.json</c> (scipy 1.10 and numpy, made by
/// <c>tools/reference/drift_tests_vectors.py</c>): statistics to 1e-9 relative, p-values to 1e-9 where scipy computes
/// them exactly and 1e-6 where it approximates; and Evidently's own expectations from its
/// <c>tests/stattests/test_stattests.py</c>, within the tolerances those tests use.
/// </summary>
public sealed class DriftTestCatalogueTests
{
    public static TheoryData<string, string> MannWhitneyCases()
    {
        var data = new TheoryData<string, string>();
        foreach (var c in ReferenceVectors.TestsSection("mannwhitney"))
        {
            data.Add(c.GetProperty("name").GetString()!, c.GetProperty("alternative").GetString()!);
        }

        return data;
    }

    public static TheoryData<string, bool> TTestCases()
    {
        var data = new TheoryData<string, bool>();
        foreach (var c in ReferenceVectors.TestsSection("ttest"))
        {
            data.Add(c.GetProperty("name").GetString()!, c.GetProperty("equalVariances").GetBoolean());
        }

        return data;
    }

    public static TheoryData<string> Names(string section) => [.. ReferenceVectors.TestsSection(section).Select(c => c.GetProperty("name").GetString()!)];

    private static JsonElement Case(string section, string name, Func<JsonElement, bool>? also = null) =>
        ReferenceVectors.TestsSection(section).Single(c => c.GetProperty("name").GetString() == name && (also?.Invoke(c) ?? true));

    [Theory]
    [MemberData(nameof(MannWhitneyCases))]
    public void MannWhitneyU_MatchesScipy(string name, string alternative)
    {
        var c = Case("mannwhitney", name, c => c.GetProperty("alternative").GetString() == alternative);
        var result = MannWhitney.Test(ReferenceVectors.Sample(c.GetProperty("reference")), ReferenceVectors.Sample(c.GetProperty("current")), alternative switch
        {
            "less" => TwoSampleAlternative.Less,
            "greater" => TwoSampleAlternative.Greater,
            _ => TwoSampleAlternative.TwoSided,
        });

        AssertClose(c.Number("statistic"), result.Statistic, 1e-12);
        AssertClose(c.Number("pvalue"), result.PValue, name.StartsWith("exact", StringComparison.Ordinal) ? 1e-9 : 1e-6);
    }

    [Theory]
    [MemberData(nameof(TTestCases))]
    public void TTest_StudentsAndWelchs_MatchScipysTtestInd(string name, bool equalVariances)
    {
        var c = Case("ttest", name, c => c.GetProperty("equalVariances").GetBoolean() == equalVariances);
        var result = TTest.Independent(ReferenceVectors.Sample(c.GetProperty("reference")), ReferenceVectors.Sample(c.GetProperty("current")), equalVariances);

        AssertClose(c.Number("statistic"), result.Statistic, 1e-9);
        AssertClose(c.Number("pvalue"), result.PValue, 1e-6);
    }

    [Theory]
    [MemberData(nameof(Names), "energy")]
    public void EnergyDistance_MatchesScipy(string name)
    {
        var c = Case("energy", name);
        AssertClose(c.Number("distance"), Distances.Energy(ReferenceVectors.Sample(c.GetProperty("reference")), ReferenceVectors.Sample(c.GetProperty("current"))), 1e-9);
    }

    [Theory]
    [MemberData(nameof(Names), "gtest")]
    public void GTest_MatchesScipysPowerDivergence_AsEvidentlyCallsIt(string name)
    {
        var c = Case("gtest", name);
        var result = HypothesisTests.GTestDrift<string>(ReferenceVectors.Labels(c.GetProperty("reference")), ReferenceVectors.Labels(c.GetProperty("current")));

        AssertClose(c.Number("statistic"), result.Statistic, 1e-9);
        AssertClose(c.Number("pvalue"), result.PValue, 1e-6);
    }

    [Theory]
    [MemberData(nameof(Names), "fisher")]
    public void FisherExact_MatchesScipy_OnTheTableEvidentlyBuilds(string name)
    {
        var c = Case("fisher", name);
        var table = c.GetProperty("table");
        long Cell(int r, int k) => table[r][k].GetInt64();
        var direct = HypothesisTests.FisherExact(Cell(0, 0), Cell(0, 1), Cell(1, 0), Cell(1, 1));
        var drift = HypothesisTests.FisherExactDrift<string>(ReferenceVectors.Labels(c.GetProperty("reference")), ReferenceVectors.Labels(c.GetProperty("current")));

        AssertClose(c.Number("pvalue"), direct.PValue, 1e-9);
        AssertClose(c.Number("pvalue"), drift.PValue, 1e-9);
        if (!double.IsNaN(c.Number("oddsRatio")))
        {
            AssertClose(c.Number("oddsRatio"), direct.Statistic, 1e-12);
        }
    }

    [Theory]
    [MemberData(nameof(Names), "kl")]
    public void KullbackLeibler_MatchesScipysEntropy_OnEvidentlysBins(string name)
    {
        var c = Case("kl", name);
        var shares = BinnedShares.Evidently(ReferenceVectors.Sample(c.GetProperty("reference")), ReferenceVectors.Sample(c.GetProperty("current")), fillEmpty: true);
        AssertClose(c.Number("divergence"), Distances.KullbackLeibler(shares), 1e-9);
    }

    [Theory]
    [MemberData(nameof(Names), "anderson")]
    public void AndersonDarling_KSample_MatchesScipysAndersonKsamp(string name)
    {
        var c = Case("anderson", name);
        var result = AndersonDarling.KSample([.. c.GetProperty("samples").EnumerateArray().Select(ReferenceVectors.Sample)]);

        AssertClose(c.Number("statistic"), result.Statistic, 1e-9);
        AssertClose(c.Number("pvalue"), result.PValue, 1e-9);
    }

    [Theory]
    [MemberData(nameof(Names), "cramervonmises")]
    public void CramerVonMises_MatchesScipysCramervonmises2samp(string name)
    {
        var c = Case("cramervonmises", name);
        var result = CramerVonMises.TwoSample(ReferenceVectors.Sample(c.GetProperty("reference")), ReferenceVectors.Sample(c.GetProperty("current")));

        AssertClose(c.Number("statistic"), result.Statistic, 1e-9);
        AssertClose(c.Number("pvalue"), result.PValue, name.StartsWith("exact", StringComparison.Ordinal) ? 1e-9 : 1e-6);
    }

    [Theory]
    [MemberData(nameof(Names), "tvd")]
    public void TotalVariation_MatchesEvidentlysDefinition(string name)
    {
        var c = Case("tvd", name);
        AssertClose(c.Number("distance"), Distances.TotalVariation<string>(ReferenceVectors.Labels(c.GetProperty("reference")), ReferenceVectors.Labels(c.GetProperty("current"))), 1e-12);
    }

    [Theory]
    [MemberData(nameof(Names), "eppssingleton")]
    public void EppsSingleton_MatchesScipysEppsSingleton2samp(string name)
    {
        var c = Case("eppssingleton", name);
        double[] points = c.GetProperty("points").ValueKind == JsonValueKind.Null ? [] : [.. c.GetProperty("points").EnumerateArray().Select(p => p.GetDouble())];
        var result = EppsSingleton.Test(ReferenceVectors.Sample(c.GetProperty("reference")), ReferenceVectors.Sample(c.GetProperty("current")), points);

        AssertClose(c.Number("statistic"), result.Statistic, 1e-9);
        AssertClose(c.Number("pvalue"), result.PValue, 1e-6);
    }

    /// <summary>
    /// The statistic to 1e-9; the seeded permutation p-value (2,000 permutations) within four Monte-Carlo standard
    /// errors of the script's run of 20,000 permutations, and the same for the same seed.
    /// </summary>
    [Theory]
    [MemberData(nameof(Names), "mmd")]
    public void EmpiricalMmd_MatchesEvidentlysDefinition_AndItsPermutationPValue(string name)
    {
        const int Permutations = 2_000;
        var c = Case("mmd", name);
        var (x, y) = (ReferenceVectors.Sample(c.GetProperty("reference")), ReferenceVectors.Sample(c.GetProperty("current")));
        var result = MaximumMeanDiscrepancy.Test(x, y, Permutations, seed: 11);

        AssertClose(c.Number("statistic"), result.Statistic, 1e-9);
        var (expected, large) = (c.Number("pvalue"), c.Number("permutations"));
        var error = Math.Sqrt(Math.Max(expected * (1 - expected), 1.0 / large) * ((1.0 / Permutations) + (1 / large)));
        Assert.InRange(result.PValue, expected - (4 * error), expected + (4 * error));
        Assert.Equal(result, MaximumMeanDiscrepancy.Test(x, y, Permutations, seed: 11));
    }

    /// <summary>numpy's legacy generator: the permutations <c>np.random.permutation</c> gives after <c>np.random.seed</c>.</summary>
    [Theory]
    [MemberData(nameof(Names), "numpyrandom")]
    public void NumpyRandomState_DrawsNumpysPermutations(string name)
    {
        var c = Case("numpyrandom", name);
        var random = new NumpyRandomState(c.GetProperty("seed").GetUInt32());
        var order = new int[c.GetProperty("n").GetInt32()];
        for (var draw = 0; draw <= c.GetProperty("draw").GetInt32(); draw++)
        {
            random.Permutation(order);
        }

        var weighted = (long)(order.Select((v, i) => (UInt128)(ulong)i * (ulong)v).Aggregate(UInt128.Zero, (a, b) => a + b) % (UInt128.One << 61));
        Assert.Equal(c.GetProperty("head").EnumerateArray().Select(v => v.GetInt32()), order.Take(50));
        Assert.Equal(c.GetProperty("tail").EnumerateArray().Select(v => v.GetInt32()), order.TakeLast(50));
        Assert.Equal(c.GetProperty("weighted").GetInt64(), weighted);
    }

    /// <summary>Evidently's TVD test as Evidently draws it: the same distance and exactly the same p-value.</summary>
    [Theory]
    [MemberData(nameof(Names), "tvdtest")]
    public void TotalVariationTest_EqualsEvidentlysDraws(string name)
    {
        var c = Case("tvdtest", name);
        var (reference, current) = (ReferenceVectors.Labels(c.GetProperty("reference")), ReferenceVectors.Labels(c.GetProperty("current")));
        var result = Statistics.TotalVariation.Test<string>(reference, current, c.GetProperty("permutations").GetInt32(), c.GetProperty("seed").GetInt32());

        Assert.Equal(c.Number("statistic"), result.Statistic);
        Assert.Equal(c.Number("pvalue"), result.PValue);
    }

    /// <summary>The test on counts is the test on the samples laid out category by category (the shares summed in that order).</summary>
    [Fact]
    public void TotalVariationTestCounts_IsTheTestOnSamplesLaidOutByCategory()
    {
        long[] reference = [16, 18, 3, 14, 12, 12], current = [10, 24, 12, 16, 8, 0];
        static string[] LaidOut(long[] counts) => [.. counts.SelectMany((count, k) => Enumerable.Repeat($"c{k}", (int)count))];

        var fromCounts = Statistics.TotalVariation.TestCounts(reference, current, 300, seed: 9);
        Assert.Equal(Statistics.TotalVariation.Test<string>(LaidOut(reference), LaidOut(current), 300, seed: 9), fromCounts);
        Assert.Equal(Distances.TotalVariation<string>(LaidOut(reference), LaidOut(current)), fromCounts.Statistic, 1e-15);

        Assert.Throws<MlOpsValidationException>(() => Statistics.TotalVariation.TestCounts([1, 2], [1]));
        Assert.Throws<MlOpsValidationException>(() => Statistics.TotalVariation.TestCounts([1, -2], [1, 3]));
        Assert.Throws<MlOpsValidationException>(() => Statistics.TotalVariation.TestCounts([0, 0], [1, 3]));
        Assert.Throws<MlOpsValidationException>(() => Statistics.TotalVariation.Test<string>(["a"], ["b"], permutations: 0));
        Assert.Throws<MlOpsValidationException>(() => Statistics.TotalVariation.Test<string>(["a"], ["b"], seed: -1));
        Assert.Throws<MlOpsValidationException>(() => Statistics.TotalVariation.Test<double>([double.NaN], [1.0]));

        // Missing values are dropped before the pool is drawn from.
        Assert.Equal(Statistics.TotalVariation.Test<string>(["a", "b", "a"], ["b", "c"]), Statistics.TotalVariation.Test<string>(["a", null!, "b", "a"], ["b", null!, "c"]));
    }

    /// <summary>Evidently's empirical MMD test as Evidently draws it after <c>np.random.seed</c>: exactly the same p-value.</summary>
    [Theory]
    [MemberData(nameof(Names), "mmddraws")]
    public void EmpiricalMmd_EqualsEvidentlysDraws(string name)
    {
        var c = Case("mmddraws", name);
        var result = MaximumMeanDiscrepancy.Test(ReferenceVectors.Sample(c.GetProperty("reference")), ReferenceVectors.Sample(c.GetProperty("current")), c.GetProperty("permutations").GetInt32(), c.GetProperty("seed").GetInt32());

        AssertClose(c.Number("statistic"), result.Statistic, 1e-9);
        Assert.Equal(c.Number("pvalue"), result.PValue);
    }

    [Fact]
    public void EppsSingletonAndMmd_RefuseSamplesTheyCannotTake()
    {
        double[] five = [1, 2, 3, 4, 5];
        Assert.Throws<MlOpsValidationException>(() => EppsSingleton.Test([1, 2, 3, 4], five));
        Assert.Throws<MlOpsValidationException>(() => EppsSingleton.Test([1, 2, double.NaN, 4, 5], five));
        Assert.Throws<MlOpsValidationException>(() => EppsSingleton.Test([1, 2, 3, 4, double.PositiveInfinity], five));
        Assert.Throws<MlOpsValidationException>(() => EppsSingleton.Test([3, 3, 3, 3, 3, 3], [3, 3, 3, 3, 3, 9]));
        Assert.Throws<MlOpsValidationException>(() => EppsSingleton.Test(five, five, 0.4, -1));

        Assert.Throws<MlOpsValidationException>(() => MaximumMeanDiscrepancy.Test([1], five));
        Assert.Throws<MlOpsValidationException>(() => MaximumMeanDiscrepancy.Test([1, double.NaN], five));
        Assert.Throws<MlOpsValidationException>(() => MaximumMeanDiscrepancy.Test(five, five, permutations: 0));
        Assert.Throws<MlOpsValidationException>(() => MaximumMeanDiscrepancy.Test(five, five, seed: -1));
        var tooMany = new double[MaximumMeanDiscrepancy.MaxValues];
        Assert.Throws<MlOpsValidationException>(() => MaximumMeanDiscrepancy.Test(tooMany, five));
    }

    /// <summary>Evidently's <c>tests/stattests/test_stattests.py</c>, value for value, with its tolerances.</summary>
    [Fact]
    public void EvidentlysOwnExpectations_Hold()
    {
        static double[] Repeat(int[] counts) => [.. counts.SelectMany((count, i) => Enumerable.Repeat(i + 1.0, count))];
        double[] reference = [38.7, 41.5, 43.8, 44.5, 45.5, 46.0, 47.7, 58.0];
        double[] current = [39.2, 39.3, 39.7, 41.4, 41.8, 42.9, 43.3, 45.8];

        // test_mann_whitney: 0.481 (abs 1e-2), no drift at 0.05.
        var mann = MannWhitney.Test(Repeat([16, 18, 16, 14, 12, 12]), Repeat([16, 16, 16, 16, 16, 8]), TwoSampleAlternative.Less).PValue;
        Assert.Equal(0.481, mann, 0.01);
        Assert.False(mann < 0.05);

        // test_t_test: 0.084 (abs 1e-3), no drift at 0.05.
        var t = TTest.Independent(reference, current).PValue;
        Assert.Equal(0.084, t, 0.001);
        Assert.False(t < 0.05);

        // test_energy_distance: 0 (abs 1e-5) against itself, 1.9 (abs 0.1) shifted by 5, drift at 0.1.
        Assert.Equal(0, Distances.Energy(reference, reference), 1e-5);
        var energy = Distances.Energy(reference, [.. reference.Select(v => v + 5)]);
        Assert.Equal(1.9, energy, 0.1);
        Assert.True(energy > 0.1);

        // test_anderson_darling: 0.0635 (abs 1e-3), no drift at 0.001.
        var anderson = AndersonDarling.KSample(reference, current).PValue;
        Assert.Equal(0.0635, anderson, 0.001);
        Assert.False(anderson < 0.001);

        // test_cramer_von_mises: 0.8076839 (abs 1e-3) on scipy's normal samples (seeds 0 and 1, in the vector file), no drift at 0.001.
        var cvm = Case("cramervonmises", "Evidently's example (normal samples, seeds 0 and 1)");
        var cvmP = CramerVonMises.TwoSample(ReferenceVectors.Sample(cvm.GetProperty("reference")), ReferenceVectors.Sample(cvm.GetProperty("current"))).PValue;
        Assert.Equal(0.8076839, cvmP, 0.001);
        Assert.False(DriftTest.CramerVonMises(0.001).Drifts(cvmP));
        Assert.True(DriftTest.CramerVonMises(0.25).Drifts(0.25));
        Assert.False(DriftTest.MannWhitney(0.25).Drifts(0.25));
        Assert.False(DriftTest.EnergyDistance(0.1).Drifts(0.1));
        Assert.True(DriftTest.Wasserstein(0.1).Drifts(0.1));

        // test_epps_singleton: 0.81 (abs 1e-2), no drift at 0.05.
        var es = EppsSingleton.Test(Repeat([16, 18, 16, 14, 12, 12]), Repeat([16, 16, 16, 16, 16, 8])).PValue;
        Assert.Equal(0.81, es, 0.01);
        Assert.False(DriftTest.EppsSingleton().Drifts(es));

        // test_empirical_mmd (after np.random.seed(0)): p within 1e-2, the verdict at 0.1. Ties between permutations decide
        // the second and fourth cases; they fall as numpy's rounding has them.
        double[] ones = [.. Enumerable.Repeat(1.0, 25)], zeros = [.. Enumerable.Repeat(0.0, 25)], alternating = [.. Enumerable.Repeat<double[]>([1, 0, 1, 0, 1], 5).SelectMany(v => v)];
        var normal = new Random(0);
        double Gaussian(double sd) => sd * Math.Sqrt(-2 * Math.Log(1 - normal.NextDouble())) * Math.Cos(2 * Math.PI * normal.NextDouble());
        double[] wide = [.. Enumerable.Range(0, 100).Select(_ => Gaussian(0.5))], narrow = [.. Enumerable.Range(0, 100).Select(_ => Gaussian(0.1))];
        (double[] Reference, double[] Current, double P, bool Drift)[] mmd =
        [
            (ones, zeros, 0, true), (alternating, alternating, 0.955, false), (ones, ones, 1, false),
            ([1.1, 0.2, 2.1, 0, 1], [1, 0, 2, 0, 1], 0.96, false), (wide, narrow, 0, true),
        ];
        foreach (var (r, c, p, drift) in mmd)
        {
            var result = MaximumMeanDiscrepancy.Test(r, c).PValue;
            Assert.Equal(p, result, 0.01);
            Assert.Equal(drift, DriftTest.EmpiricalMmd().Drifts(result));
        }

        // test_tvd_stattest: five cases, p within 1e-3 and the verdict at the case's threshold.
        (int[] Current, double Threshold, double P, bool Drift)[] tvd =
        [
            ([16, 16, 16, 16, 16, 8], 0.1, 0.928, false), ([10, 10, 24, 24, 10, 10], 0.1, 0.085, true), ([0, 0, 0, 0, 0, 88], 0.1, 0, true),
            ([16, 18, 16, 14, 12, 12], 0.1, 1, false), ([10, 24, 12, 16, 8, 16], 0.5, 0.309, true),
        ];
        foreach (var (counts, threshold, p, drift) in tvd)
        {
            var result = Statistics.TotalVariation.Test<double>(Repeat([16, 18, 16, 14, 12, 12]), Repeat(counts)).PValue;
            Assert.Equal(p, result, 0.001);
            Assert.Equal(drift, DriftTest.TotalVariation(threshold).Drifts(result));
        }

        // test_g_test: 0.8176 (abs 1e-3).
        string[] gReference = [.. Enumerable.Repeat("a", 5), .. Enumerable.Repeat("b", 5), .. Enumerable.Repeat("c", 8)];
        string[] gCurrent = [.. Enumerable.Repeat("a", 4), .. Enumerable.Repeat("b", 6), .. Enumerable.Repeat("c", 8)];
        Assert.Equal(0.8176, HypothesisTests.GTestDrift<string>(gReference, gCurrent).PValue, 0.001);

        // test_pvalue_fisher_exact: six cases (abs 1e-3) and their verdicts at 0.1.
        static string[] Times(string[] values, int times) => [.. Enumerable.Repeat(values, times).SelectMany(v => v)];
        (string[] Reference, string[] Current, double P, bool Drift)[] fisher =
        [
            (Times(["a", "b", "b", "a", "a", "b"], 15), Times(["b", "b", "a", "b", "b", "a"], 15), 0.033, true),
            (["a", "b", "b", "a", "a", "b"], ["a", "a", "a", "a", "a", "a"], 0.181, false),
            (["a", "a", "a", "a", "a", "a"], ["a", "a", "a", "a", "a", "a"], 1.0, false),
            (["a", "b", "b", "b", "a", "b"], ["b", "b", "b", "a", "b", "a"], 1.0, false),
            (["a", "a", "a", "a", "a", "a"], ["b", "b", "b", "b", "b", "b"], 0.0021, true),
            (Times(["a", "a", "a", "b", "b"], 30), Times(["b", "b", "b", "a", "a"], 30), 0.00078, true),
        ];
        foreach (var (r, c, p, drift) in fisher)
        {
            var result = HypothesisTests.FisherExactDrift<string>(r, c).PValue;
            Assert.Equal(p, result, 0.001);
            Assert.Equal(drift, result < 0.1);
        }

        // test_for_multiple_categories_fisher_exact: more than two categories is an error.
        Assert.Throws<MlOpsValidationException>(() => HypothesisTests.FisherExactDrift<string>(["a", "c", "a", "a", "a", "b"], ["b", "b", "a", "b", "b", "a"]));
    }
}
