using MlOps.Sdk.Monitoring.Statistics;
using Xunit;

namespace MlOps.Sdk.Monitoring.Tests;

/// <summary>A test and threshold per feature and per kind, in place of Evidently's default selection.</summary>
public sealed class DriftTestChoiceTests
{
    public sealed record Sample
    {
        public double Amount { get; init; }

        public double Score { get; init; }

        public string? Country { get; init; }

        public string? Channel { get; init; }
    }

    private static List<Sample> Rows(int seed, int count, double shift, string[] countries)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(i => new Sample
        {
            Amount = (random.NextDouble() * 100) + shift,
            Score = random.NextDouble() + (shift / 100),
            Country = i % 17 == 0 ? null : countries[random.Next(countries.Length)],
            Channel = random.NextDouble() < 0.3 + (shift / 200) ? "web" : "store",
        })];
    }

    private static readonly List<Sample> Reference = Rows(1, 500, 0, ["fr", "de", "es"]);

    [Fact]
    public void ChosenTests_AreComputedAsTheStatisticsDefineThem_WithEachTestsThresholdAndRule()
    {
        var current = Rows(2, 300, 8, ["fr", "de", "es", "it"]);
        var options = new DriftOptions { NumericTest = DriftTest.MannWhitney(), CategoricalTest = DriftTest.GTest(0.2) };
        options.FeatureTests["Score"] = DriftTest.EnergyDistance(0.05);
        options.FeatureTests["Channel"] = DriftTest.FisherExact();
        var monitor = new DriftMonitor<Sample>(ReferenceProfile.Build(Reference), options);

        var report = monitor.Evaluate(current);
        var byName = report.Features.ToDictionary(f => f.Feature);

        var mannWhitney = MannWhitney.Test(Reference.Select(r => r.Amount).Order().ToArray(), current.Select(r => r.Amount).Order().ToArray(), TwoSampleAlternative.Less);
        var amount = mannWhitney.PValue;
        Assert.Equal(("mannw", amount, 0.05, amount < 0.05), (byName["Amount"].Test, byName["Amount"].Score, byName["Amount"].Threshold, byName["Amount"].Drifted));
        Assert.Equal((mannWhitney.Statistic, (int?)null), (byName["Amount"].Statistic, byName["Amount"].DegreesOfFreedom));
        Assert.True(byName["Amount"].IsPValue);

        var energy = Distances.Energy(Reference.Select(r => r.Score).ToArray(), current.Select(r => r.Score).ToArray());
        Assert.Equal("ed", byName["Score"].Test);
        Assert.Equal(energy, byName["Score"].Score, 1e-12);
        Assert.Equal(energy > 0.05, byName["Score"].Drifted);
        Assert.Equal(byName["Score"].Score, byName["Score"].Statistic);
        Assert.False(byName["Score"].IsPValue);

        string[] Present(IEnumerable<string?> values) => [.. values.OfType<string>()];
        var gTest = HypothesisTests.GTestDrift<string>(Present(Reference.Select(r => r.Country)), Present(current.Select(r => r.Country)));
        var g = gTest.PValue;
        Assert.Equal(gTest.Statistic, byName["Country"].Statistic, 1e-12);
        Assert.Equal(3, byName["Country"].DegreesOfFreedom);
        Assert.Equal(("g_test", 0.2), (byName["Country"].Test, byName["Country"].Threshold));
        Assert.Equal(g, byName["Country"].Score, 1e-12);
        Assert.Equal(g < 0.2, byName["Country"].Drifted);
        Assert.Equal(1, byName["Country"].UnseenCategories);
        Assert.Equal(current.Count(r => r.Country is null), byName["Country"].Missing);

        var fisherTest = HypothesisTests.FisherExactDrift<string>(Present(Reference.Select(r => r.Channel)), Present(current.Select(r => r.Channel)));
        var fisher = fisherTest.PValue;
        Assert.Equal("fisher_exact", byName["Channel"].Test);
        Assert.Equal(fisher, byName["Channel"].Score, 1e-12);
        Assert.Equal(fisher < 0.1, byName["Channel"].Drifted);
    }

    public sealed record Store
    {
        public int StoreId { get; init; }

        public long? Rating { get; init; }

        public double Basket { get; init; }
    }

    [Fact]
    public void IntegerColumnsDeclaredCategorical_AreComparedByCategory_BothInTheProfileAndInTheMonitor()
    {
        var random = new Random(6);
        Store Row(int stores) => new() { StoreId = 100 + random.Next(stores), Rating = random.Next(6) == 0 ? null : 1 + random.Next(5), Basket = random.NextDouble() * 80 };
        var reference = Enumerable.Range(0, 400).Select(_ => Row(3)).ToList();
        var current = Enumerable.Range(0, 200).Select(_ => Row(4)).ToList();
        var profile = ReferenceProfile.Build(reference, categorical: name => name is "StoreId" or "Rating");

        Assert.Equal([("Basket", FeatureKind.Numeric), ("StoreId", FeatureKind.Categorical), ("Rating", FeatureKind.Categorical)], profile.Features.Select(f => (f.Name, f.Kind)));
        Assert.Equal(["100", "101", "102"], profile["StoreId"].Categories.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(reference.Count(r => r.Rating is null), profile["Rating"].Missing);

        var byName = new DriftMonitor<Store>(profile).Evaluate(current).Features.ToDictionary(f => f.Feature);
        string[] Codes(IEnumerable<Store> rows) => [.. rows.Select(r => r.StoreId.ToString(System.Globalization.CultureInfo.InvariantCulture))];
        var chi = HypothesisTests.ChiSquareDrift<string>(Codes(reference), Codes(current));
        Assert.Equal(("chisquare", 1, 3), (byName["StoreId"].Test, byName["StoreId"].UnseenCategories, byName["StoreId"].DegreesOfFreedom));
        Assert.Equal(chi.PValue, byName["StoreId"].Score, 1e-12);
        Assert.Equal(current.Count(r => r.Rating is null), byName["Rating"].Missing);

        Assert.Equal(FeatureKind.Numeric, ReferenceProfile.Build(reference)["StoreId"].Kind);
        Assert.Throws<MlOpsValidationException>(() => ReferenceProfile.Build(reference, categorical: name => name == "Basket"));
    }

    [Fact]
    public void ColumnsWithoutARowType_GetTheVerdictsTheirRowsGet_AndAreLeftAsTheyWere()
    {
        var current = Rows(7, 300, 8, ["fr", "de", "es", "it"]);
        static Dictionary<string, double[]> Numbers(List<Sample> rows) => new() { ["Amount"] = [.. rows.Select(r => r.Amount)], ["Score"] = [.. rows.Select(r => r.Score)] };
        static Dictionary<string, string?[]> Labels(List<Sample> rows) => new() { ["Country"] = [.. rows.Select(r => r.Country)], ["Channel"] = [.. rows.Select(r => r.Channel)] };
        var profile = ReferenceProfile.FromColumns(Numbers(Reference), Labels(Reference));
        var options = new DriftOptions { NumericTest = DriftTest.MannWhitney() };
        var (numbers, labels) = (Numbers(current), Labels(current));
        var before = numbers["Amount"].ToArray();

        var fromColumns = DriftMonitor.EvaluateColumns(profile, numbers, labels, options);
        var fromRows = new DriftMonitor<Sample>(ReferenceProfile.Build(Reference), options).Evaluate(current);

        Assert.Equal(fromRows.Features.Select(f => (f.Feature, f.Test, f.Score, f.Statistic, f.Drifted)), fromColumns.Features.Select(f => (f.Feature, f.Test, f.Score, f.Statistic, f.Drifted)));
        Assert.Equal(300, fromColumns.Rows);
        Assert.Equal(before, numbers["Amount"]);

        Assert.Throws<MlOpsValidationException>(() => DriftMonitor.EvaluateColumns(profile, new Dictionary<string, double[]> { ["Amount"] = numbers["Amount"] }, labels));
        Assert.Throws<MlOpsValidationException>(() => DriftMonitor.EvaluateColumns(profile, new Dictionary<string, double[]>(numbers) { ["Other"] = numbers["Amount"] }, labels));
        Assert.Throws<MlOpsValidationException>(() => DriftMonitor.EvaluateColumns(profile, new Dictionary<string, double[]>(numbers) { ["Score"] = [1, 2] }, labels));
    }

    /// <summary>Evidently's default selection reports its statistics too: D for Kolmogorov-Smirnov, χ² and its degrees of freedom.</summary>
    [Fact]
    public void DefaultTests_CarryTheirStatistic_AndChiSquareItsDegreesOfFreedom()
    {
        var current = Rows(5, 300, 8, ["fr", "de", "es", "it"]);
        var report = new DriftMonitor<Sample>(ReferenceProfile.Build(Reference)).Evaluate(current);
        var byName = report.Features.ToDictionary(f => f.Feature);

        double[] Sorted(IEnumerable<Sample> rows, Func<Sample, double> value) => [.. rows.Select(value).Order()];
        var ks = KolmogorovSmirnov.TwoSample(Sorted(Reference, r => r.Amount), Sorted(current, r => r.Amount));
        Assert.Equal(("ks", ks.Statistic, ks.PValue), (byName["Amount"].Test, byName["Amount"].Statistic, byName["Amount"].Score));
        string[] Present(IEnumerable<string?> values) => [.. values.OfType<string>()];
        var chi = HypothesisTests.ChiSquareDrift<string>(Present(Reference.Select(r => r.Country)), Present(current.Select(r => r.Country)));
        Assert.Equal(("chisquare", 3), (byName["Country"].Test, byName["Country"].DegreesOfFreedom));
        Assert.Equal(chi.Statistic, byName["Country"].Statistic, 1e-12);
        Assert.Equal(chi.PValue, byName["Country"].Score, 1e-12);
        Assert.Equal("z", byName["Channel"].Test);
        Assert.True(double.IsFinite(byName["Channel"].Statistic));
        Assert.Null(byName["Channel"].DegreesOfFreedom);
    }

    [Fact]
    public void EppsSingletonAndEmpiricalMmd_AreComputedOnTheSortedSamples_AndMmdOnAtMostAThousandOfEach()
    {
        var current = Rows(3, 300, 4, ["fr", "de"]);
        var options = new DriftOptions { NumericTest = DriftTest.EppsSingleton() };
        options.FeatureTests["Score"] = DriftTest.EmpiricalMmd();
        var report = new DriftMonitor<Sample>(ReferenceProfile.Build(Reference), options).Evaluate(current);
        var byName = report.Features.ToDictionary(f => f.Feature);

        double[] Sorted(IEnumerable<Sample> rows, Func<Sample, double> value) => [.. rows.Select(value).Order()];
        var es = EppsSingleton.Test(Sorted(Reference, r => r.Amount), Sorted(current, r => r.Amount)).PValue;
        Assert.Equal(("es", es, es < 0.05), (byName["Amount"].Test, byName["Amount"].Score, byName["Amount"].Drifted));
        Assert.True(byName["Amount"].IsPValue && byName["Score"].IsPValue);
        var mmd = MaximumMeanDiscrepancy.Test(Sorted(Reference, r => r.Score), Sorted(current, r => r.Score)).PValue;
        Assert.Equal(("empirical_mmd", mmd, 0.1, mmd < 0.1), (byName["Score"].Test, byName["Score"].Score, byName["Score"].Threshold, byName["Score"].Drifted));

        // A larger window is tested through 1,000 evenly spaced order statistics: the first, the last, and between.
        var large = Rows(4, 5_000, 0, ["fr"]);
        var spread = ChosenTests.Spread(Sorted(large, r => r.Score), 1_000);
        Assert.Equal(1_000, spread.Length);
        Assert.Equal((large.Min(r => r.Score), large.Max(r => r.Score)), (spread[0], spread[^1]));
        var verdict = new DriftMonitor<Sample>(ReferenceProfile.Build(Reference), options).Evaluate(large).Features.Single(f => f.Feature == "Score");
        Assert.Equal(MaximumMeanDiscrepancy.Test(Sorted(Reference, r => r.Score), spread).PValue, verdict.Score);
    }

    [Fact]
    public void AWindowTheChosenTestCannotTake_GetsNoVerdict_NotAnException()
    {
        var options = new DriftOptions { CategoricalTest = DriftTest.FisherExact() };
        options.FeatureTests["Amount"] = DriftTest.TTest();
        var monitor = new DriftMonitor<Sample>(ReferenceProfile.Build(Reference), options);

        // Fisher's test takes two categories; a t-test needs two values.
        var report = monitor.Evaluate(Rows(3, 1, 0, ["fr"]).Concat(Rows(4, 1, 0, ["de"])).Take(1));
        var byName = report.Features.ToDictionary(f => f.Feature);
        Assert.True(double.IsNaN(byName["Amount"].Score));
        Assert.False(byName["Amount"].Drifted);

        var threeCountries = monitor.Evaluate(Rows(5, 200, 0, ["fr", "de", "es"]));
        var country = threeCountries.Features.Single(f => f.Feature == "Country");
        Assert.Equal("fisher_exact", country.Test);
        Assert.True(double.IsNaN(country.Score));
        Assert.False(country.Drifted);
    }

    [Fact]
    public void TestsThatDoNotFitAFeature_OrNameNoFeature_OrHaveNoSensibleThreshold_AreRefusedAtConstruction()
    {
        var profile = ReferenceProfile.Build(Reference);
        Assert.Throws<ArgumentException>(() => new DriftMonitor<Sample>(profile, new DriftOptions { NumericTest = DriftTest.GTest() }));
        Assert.Throws<ArgumentException>(() => new DriftMonitor<Sample>(profile, new DriftOptions { CategoricalTest = DriftTest.MannWhitney() }));
        var wrongKind = new DriftOptions();
        wrongKind.FeatureTests["Country"] = DriftTest.TTest();
        Assert.Contains("Country", Assert.Throws<ArgumentException>(() => new DriftMonitor<Sample>(profile, wrongKind)).Message, StringComparison.Ordinal);
        var unknown = new DriftOptions();
        unknown.FeatureTests["Amonut"] = DriftTest.KolmogorovSmirnov();
        Assert.Contains("Amonut", Assert.Throws<ArgumentException>(() => new DriftMonitor<Sample>(profile, unknown)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new DriftMonitor<Sample>(profile, new DriftOptions { NumericTest = DriftTest.TTest(1.5) }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DriftMonitor<Sample>(profile, new DriftOptions { NumericTest = DriftTest.Wasserstein(0) }));
        Assert.Equal("psi", DriftTest.Named("psi").Name);
        Assert.Throws<ArgumentException>(() => DriftTest.Named("nope"));
    }

    [Fact]
    public void Bonferroni_DividesEachFeaturesOwnThreshold_ByTheNumberOfPValueTests()
    {
        var options = new DriftOptions { Correction = MultipleTestingCorrection.Bonferroni, NumericTest = DriftTest.TTest(0.2) };
        options.FeatureTests["Score"] = DriftTest.MannWhitney(0.1);
        var report = new DriftMonitor<Sample>(ReferenceProfile.Build(Reference), options).Evaluate(Rows(6, 300, 3, ["fr", "de", "es"]));
        var tests = report.Features.Count(f => f.IsPValue);
        Assert.Equal(4, tests);
        var amount = report.Features.Single(f => f.Feature == "Amount");
        var score = report.Features.Single(f => f.Feature == "Score");
        Assert.Equal(0.2 / tests, amount.Threshold, 1e-15);
        Assert.Equal(0.1 / tests, score.Threshold, 1e-15);
        Assert.Equal(amount.Score < 0.2 / tests, amount.Drifted);
        Assert.Equal(score.Score < 0.1 / tests, score.Drifted);
    }

    [Fact]
    public void Bonferroni_KeepsEachTestsOwnRule_APValueAtTheCorrectedThresholdDriftsUnderCramerVonMises()
    {
        var current = Rows(6, 300, 8, ["fr", "de", "es"]);
        var plain = new DriftOptions();
        plain.FeatureTests["Score"] = DriftTest.CramerVonMises();
        var p = new DriftMonitor<Sample>(ReferenceProfile.Build(Reference), plain).Evaluate(current).Features.Single(f => f.Feature == "Score").Score;
        Assert.InRange(p, 1e-12, 0.2);

        // Four p-value tests: the corrected threshold of 4p is p exactly, which Cramér-von Mises's rule (p ≤ t) counts as drift.
        var options = new DriftOptions { Correction = MultipleTestingCorrection.Bonferroni };
        options.FeatureTests["Score"] = DriftTest.CramerVonMises(4 * p);
        var score = new DriftMonitor<Sample>(ReferenceProfile.Build(Reference), options).Evaluate(current).Features.Single(f => f.Feature == "Score");
        Assert.Equal((p, p, true), (score.Score, score.Threshold, score.Drifted));
    }
}
