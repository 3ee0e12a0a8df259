using System.Text.Json;
using MlOps.Sdk.Monitoring.Statistics;
using Xunit;
using static MlOps.Sdk.Monitoring.Tests.Precision;

namespace MlOps.Sdk.Monitoring.Tests;

/// <summary>Every statistic against the scipy/numpy vectors: 1e-9 relative, p-values 1e-6 where scipy approximates.</summary>
public sealed class StatisticsTests
{
    public static TheoryData<string> KsCases => [.. ReferenceVectors.Section("ks").Select(c => c.GetProperty("name").GetString()!)];

    public static TheoryData<string> DistanceCases => [.. ReferenceVectors.Section("distances").Select(c => c.GetProperty("name").GetString()!)];

    public static TheoryData<string> CategoricalCases => [.. ReferenceVectors.Section("categorical").Select(c => c.GetProperty("name").GetString()!)];

    [Theory]
    [MemberData(nameof(KsCases))]
    public void KolmogorovSmirnov_MatchesScipyKs2samp(string name)
    {
        var c = ReferenceVectors.Case("ks", name);
        var reference = ReferenceVectors.Sample(c.GetProperty("reference"));
        var current = ReferenceVectors.Sample(c.GetProperty("current"));
        var method = c.GetProperty("method").GetString() switch
        {
            "exact" => KsMethod.Exact,
            "asymp" => KsMethod.Asymptotic,
            _ => KsMethod.Auto,
        };
        var asymptotic = method == KsMethod.Asymptotic || (method == KsMethod.Auto && Math.Max(reference.Length, current.Length) > 10_000);

        var result = KolmogorovSmirnov.TwoSample(reference, current, method);

        AssertClose(c.Number("statistic"), result.Statistic, 1e-9);
        AssertClose(c.Number("pvalue"), result.PValue, asymptotic ? 1e-6 : 1e-9);
    }

    [Theory]
    [MemberData(nameof(DistanceCases))]
    public void NumericDistances_MatchScipyAndEvidentlysFormulas(string name)
    {
        var c = ReferenceVectors.Case("distances", name);
        var reference = ReferenceVectors.Sample(c.GetProperty("reference"));
        var current = ReferenceVectors.Sample(c.GetProperty("current"));
        var filled = BinnedShares.Evidently(reference, current, fillEmpty: true);
        var raw = BinnedShares.Evidently(reference, current, fillEmpty: false);

        AssertClose(c.Number("wasserstein"), Distances.Wasserstein(reference, current), 1e-9);
        AssertClose(c.Number("wasserstein_normed"), Distances.WassersteinNormed(reference, current), 1e-9);
        AssertClose(c.Number("psi"), Distances.PopulationStabilityIndex(filled), 1e-9);
        AssertClose(c.Number("jensenshannon_e"), Distances.JensenShannon(raw.Reference, raw.Current), 1e-9);
        AssertClose(c.Number("jensenshannon_2"), Distances.JensenShannon(raw.Reference, raw.Current, 2), 1e-9);
        AssertClose(c.Number("hellinger"), Distances.HellingerNumeric(reference, current), 1e-9);
    }

    [Theory]
    [MemberData(nameof(CategoricalCases))]
    public void CategoricalStatistics_MatchScipyAndEvidentlysFormulas(string name)
    {
        var c = ReferenceVectors.Case("categorical", name);
        var reference = ReferenceVectors.Categories(c.GetProperty("reference"));
        var current = ReferenceVectors.Categories(c.GetProperty("current"));

        var chi = HypothesisTests.ChiSquareDrift<double>(reference, current);

        AssertClose(c.Number("chisquare_statistic"), chi.Statistic, 1e-9);
        AssertClose(c.Number("chisquare_pvalue"), chi.PValue, 1e-9);
        AssertClose(c.Number("psi"), Distances.PopulationStabilityIndex(BinnedShares.Categories<double>(reference, current, fillEmpty: true)), 1e-9);
        var raw = BinnedShares.Categories<double>(reference, current, fillEmpty: false);
        AssertClose(c.Number("jensenshannon_2"), Distances.JensenShannon(raw.Reference, raw.Current, 2), 1e-9);
        AssertClose(c.Number("hellinger"), Distances.Hellinger(raw), 1e-9);
    }

    [Fact]
    public void ChiSquareContingency_MatchesScipyChi2Contingency()
    {
        foreach (var c in ReferenceVectors.Section("contingency"))
        {
            var rows = c.GetProperty("table").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetInt64()).ToArray()).ToArray();
            var table = new long[rows.Length, rows[0].Length];
            for (var r = 0; r < rows.Length; r++)
            {
                for (var col = 0; col < rows[0].Length; col++)
                {
                    table[r, col] = rows[r][col];
                }
            }

            var result = HypothesisTests.ChiSquareContingency(table, c.GetProperty("correction").GetBoolean());

            AssertClose(c.Number("statistic"), result.Statistic, 1e-9);
            AssertClose(c.Number("pvalue"), result.PValue, 1e-9);
        }
    }

    [Fact]
    public void TwoProportionZ_MatchesTheNormalTail()
    {
        foreach (var c in ReferenceVectors.Section("proportions"))
        {
            var result = HypothesisTests.TwoProportionZ(
                c.GetProperty("hits1").GetInt64(), c.GetProperty("n1").GetInt64(), c.GetProperty("hits2").GetInt64(), c.GetProperty("n2").GetInt64());

            AssertClose(c.Number("z"), result.Statistic, 1e-9);
            AssertClose(c.Number("pvalue"), result.PValue, 1e-9);
        }
    }

    [Fact]
    public void BadInput_IsRefusedWithAClearError()
    {
        Assert.Throws<MlOpsValidationException>(() => KolmogorovSmirnov.TwoSample([], [1.0]));
        Assert.Throws<MlOpsValidationException>(() => KolmogorovSmirnov.TwoSample([1.0, double.NaN], [1.0]));
        Assert.Throws<MlOpsValidationException>(() => Distances.Wasserstein([double.PositiveInfinity], [1.0]));
        Assert.Throws<MlOpsValidationException>(() => HypothesisTests.ChiSquareContingency(new long[,] { { 0, 0 }, { 3, 4 } }));
        Assert.Throws<MlOpsValidationException>(() => Distances.JensenShannon([0.5, 0.5], [1.0]));
    }

    [Fact]
    public void HellingerNumeric_TwoIdenticalConstantColumns_IsZero_AsForAnyTwoEqualDistributions()
    {
        Assert.Equal(0, Distances.HellingerNumeric([2.0, 2.0, 2.0], [2.0, 2.0]));
        Assert.Equal(1, Distances.HellingerNumeric([2.0, 2.0, 2.0], [3.0, 3.0]), 1e-12);
    }

    [Fact]
    public void Categories_NullLabels_AreMissingValues_NotAnError()
    {
        string[] reference = ["a", "b", null!, "a"];
        string[] current = ["a", null!, null!, "b"];

        var withNulls = HypothesisTests.ChiSquareDrift<string>(reference, current);
        var shares = BinnedShares.Categories<string>(reference, current, fillEmpty: false);

        Assert.Equal(2, shares.Reference.Length);
        Assert.Equal([0.5, 0.25], shares.Reference);
        Assert.Equal([0.25, 0.25], shares.Current);
        Assert.True(double.IsFinite(withNulls.PValue));
    }
}
