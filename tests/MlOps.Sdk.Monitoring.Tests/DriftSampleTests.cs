using MlOps.Sdk.Monitoring.Statistics;
using Xunit;
using static MlOps.Sdk.Monitoring.Tests.Precision;

namespace MlOps.Sdk.Monitoring.Tests;

/// <summary>
/// Every test on raw samples (<see cref="DriftTest.Run{T}(ReadOnlySpan{T}, ReadOnlySpan{T})"/>): PSI, Jensen-Shannon and
/// Hellinger without binning by hand, chi-square and Z without counting, equal to the scipy/Evidently vectors; numbers,
/// integers, nullable values and strings; the missing-value rule; typed errors.
/// </summary>
public sealed class DriftSampleTests
{
    public static TheoryData<string> DistanceCases => StatisticsTests.DistanceCases;

    public static TheoryData<string> CategoricalCases => StatisticsTests.CategoricalCases;

    [Theory]
    [MemberData(nameof(DistanceCases))]
    public void Distances_OnRawSamples_MatchTheVectors(string name)
    {
        var c = ReferenceVectors.Case("distances", name);
        var (reference, current) = (ReferenceVectors.Sample(c.GetProperty("reference")), ReferenceVectors.Sample(c.GetProperty("current")));

        AssertClose(c.Number("psi"), DriftTest.PopulationStabilityIndex().Run<double>(reference, current).Score, 1e-9);
        AssertClose(c.Number("jensenshannon_2"), DriftTest.JensenShannon().Run<double>(reference, current).Score, 1e-9);
        AssertClose(c.Number("hellinger"), DriftTest.Hellinger().Run<double>(reference, current).Score, 1e-9);
        AssertClose(c.Number("wasserstein_normed"), DriftTest.Wasserstein().Run<double>(reference, current).Score, 1e-9);
    }

    [Theory]
    [MemberData(nameof(CategoricalCases))]
    public void CategoryTests_OnRawSamples_MatchTheVectors(string name)
    {
        var c = ReferenceVectors.Case("categorical", name);
        var (reference, current) = (ReferenceVectors.Categories(c.GetProperty("reference")), ReferenceVectors.Categories(c.GetProperty("current")));
        string?[] Texts(double[] values) => [.. values.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture))];

        var chi = DriftTest.ChiSquare().Run(Texts(reference), Texts(current));
        AssertClose(c.Number("chisquare_pvalue"), chi.Score, 1e-9);
        AssertClose(c.Number("chisquare_statistic"), chi.Statistic, 1e-9);
        AssertClose(c.Number("psi"), DriftTest.PopulationStabilityIndex().Run(Texts(reference), Texts(current)).Score, 1e-9);
        AssertClose(c.Number("jensenshannon_2"), DriftTest.JensenShannon().Run(Texts(reference), Texts(current)).Score, 1e-9);
        AssertClose(c.Number("hellinger"), DriftTest.Hellinger().Run(Texts(reference), Texts(current)).Score, 1e-9);
    }

    [Fact]
    public void TheZTest_TakesTwoBinarySamples_NotCounts()
    {
        int[] reference = [.. Enumerable.Repeat(1, 30), .. Enumerable.Repeat(0, 70)];
        int[] current = [.. Enumerable.Repeat(1, 45), .. Enumerable.Repeat(0, 55)];

        var z = DriftTest.Z().Run<int>(reference, current);

        var expected = HypothesisTests.TwoProportionZ(30, 100, 45, 100);
        Assert.Equal(("z", expected.PValue, expected.Statistic), (z.Test, z.Score, z.Statistic));
        Assert.Equal(DriftTest.Z().Run([.. Enumerable.Repeat("b", 30), .. Enumerable.Repeat("a", 70)], [.. Enumerable.Repeat("b", 45), .. Enumerable.Repeat("a", 55)]).Score, z.Score, 1e-12);
    }

    [Fact]
    public void MissingValues_AreDroppedAndCounted_InfinitiesCountedApart()
    {
        double[] clean = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        double[] current = [1.5, 2.5, double.NaN, 3.5, double.PositiveInfinity, 4.5, 5.5, double.NaN, 6.5, 7.5];
        double?[] nullable = [.. current.Select(v => double.IsNaN(v) ? (double?)null : v)];

        var withNaN = DriftTest.KolmogorovSmirnov().Run<double>(clean, current);
        var withNull = DriftTest.KolmogorovSmirnov().Run<double>([.. clean.Select(v => (double?)v)], nullable);
        var direct = KolmogorovSmirnov.TwoSample(clean, [1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5]);

        Assert.Equal((2, 1, 7), (withNaN.Missing, withNaN.NonFinite, withNaN.Values));
        Assert.Equal((direct.PValue, direct.Statistic), (withNaN.Score, withNaN.Statistic));
        Assert.Equal(withNaN, withNull);

        string?[] labels = ["a", null, "b", "a"];
        Assert.Equal(1, DriftTest.ChiSquare().Run(["a", "b", "a", "b"], labels).Missing);
        Assert.Equal(("none", 0), (DriftTest.TTest().Run<double>(clean, [double.NaN, double.NaN]).Test, DriftTest.TTest().Run<double>(clean, [double.NaN]).Values));
    }

    [Fact]
    public void Integers_AreNumbersForNumericTests_AndCategoriesForCategoryTests()
    {
        int[] reference = [1, 2, 2, 3, 3, 3, 4, 4, 4, 4, 5, 6, 7, 8];
        long?[] current = [2, 3, 3, 4, 4, 5, 5, 5, null, 6, 7, 8, 9, 9];

        var mannWhitney = DriftTest.MannWhitney().Run<int>(reference, [2, 3, 3, 4, 4, 5, 5, 5, 6, 7, 8, 9, 9]);
        Assert.Equal(MannWhitney.Test([.. reference.Select(v => (double)v)], [2, 3, 3, 4, 4, 5, 5, 5, 6, 7, 8, 9, 9], TwoSampleAlternative.Less).PValue, mannWhitney.Score);

        var g = DriftTest.GTest().Run<long>([.. reference.Select(v => (long?)v)], current);
        Assert.Equal(HypothesisTests.GTestDrift<long>([.. reference.Select(v => (long)v)], [2, 3, 3, 4, 4, 5, 5, 5, 6, 7, 8, 9, 9]).PValue, g.Score, 1e-12);
        Assert.Equal((1, 1), (g.Missing, g.UnseenCategories));
    }

    [Fact]
    public void TotalVariation_IsEvidentlysPermutationTest_OnTheCountsInOrdinalOrder()
    {
        string?[] reference = [.. "abcabcaabbcaddab".Select(c => c.ToString())];
        string?[] current = [.. "cbacbacccc".Select(c => c.ToString()), null, "e"];

        var verdict = DriftTest.TotalVariation().Run(reference, current);

        // Categories a, b, c, d, e in ordinal order; the null is missing.
        var expected = Statistics.TotalVariation.TestCounts([6, 5, 3, 2, 0], [2, 2, 6, 0, 1]);
        Assert.Equal(("TVD", expected.PValue, expected.Statistic, expected.PValue < 0.1), (verdict.Test, verdict.Score, verdict.Statistic, verdict.Drifted));
        Assert.Equal((1, 1), (verdict.Missing, verdict.UnseenCategories));
        Assert.Equal(DriftTest.TotalVariation().Run<int>([1, 2, 2, 3], [3, 3, 1]).Score, DriftTest.TotalVariation().Run(["1", "2", "2", "3"], ["3", "3", "1"]).Score);
    }

    [Fact]
    public void DataATestCannotTake_IsATypedError_OrNoVerdict()
    {
        Assert.Throws<MlOpsValidationException>(() => DriftTest.KolmogorovSmirnov().Run(["a"], ["b"]));
        Assert.Throws<MlOpsValidationException>(() => DriftTest.KolmogorovSmirnov().Run<double>([], [1.0]));
        var fisher = DriftTest.FisherExact().Run(["a", "b", "a"], ["a", "c", "b"]);
        Assert.True(double.IsNaN(fisher.Score));
        Assert.False(fisher.Drifted);
    }
}
