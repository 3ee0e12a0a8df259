using MlOps.Sdk.Monitoring.Statistics;
using MlOps.Sdk.Storage.Conformance;
using Xunit;

namespace MlOps.Sdk.Monitoring.Tests;

public sealed class MonitorTests
{
    [Fact]
    public async Task Profile_OfTwoHalves_MergesIntoTheProfileOfTheWhole_AndSurvivesJson()
    {
        var rows = Rows(new Random(1), 900, shift: 0);

        var whole = ReferenceProfile.Build(rows);
        var merged = ReferenceProfile.Build(rows.Take(400)).Merge(ReferenceProfile.Build(rows.Skip(400)));
        using var json = new MemoryStream();
        await merged.SaveAsync(json);
        json.Position = 0;
        var loaded = await ReferenceProfile.LoadAsync(json);

        foreach (var profile in new[] { merged, loaded })
        {
            Assert.Equal(whole.Features.Select(f => f.Name), profile.Features.Select(f => f.Name));
            foreach (var (a, b) in whole.Features.Zip(profile.Features))
            {
                Assert.Equal((a.Kind, a.Count, a.Missing, a.NonFinite, a.Min, a.Max, a.Mean, a.Variance), (b.Kind, b.Count, b.Missing, b.NonFinite, b.Min, b.Max, b.Mean, b.Variance));
                Assert.Equal(a.Values, b.Values);
                Assert.Equal(a.Categories.OrderBy(p => p.Key), b.Categories.OrderBy(p => p.Key));
            }
        }

        Assert.Equal(["Amount", "V[0]", "V[1]", "V[2]", "Optional", "Country", "Flag"], whole.Features.Select(f => f.Name));
        Assert.Equal(whole["Optional"].Missing, rows.Count(r => r.Optional is null));
        Assert.Equal(1, whole["Amount"].NonFinite);
        await Assert.ThrowsAsync<MlOpsValidationException>(() => ReferenceProfile.LoadAsync(new MemoryStream("{\"format\":9}"u8.ToArray())));
    }

    [Fact]
    public void QuantileBins_MatchNumpysQuantiles()
    {
        foreach (var c in ReferenceVectors.Section("quantiles"))
        {
            var values = ReferenceVectors.Sample(c.GetProperty("sample"));
            var profile = ReferenceProfile.FromColumns(new Dictionary<string, double[]> { ["x"] = values });

            var edges = profile["x"].QuantileEdges(c.GetProperty("bins").GetInt32());

            var expected = c.GetProperty("edges").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            Assert.Equal(expected.Length, edges.Length);
            for (var i = 0; i < edges.Length; i++)
            {
                Assert.Equal(expected[i], edges[i], 1e-12);
            }
        }
    }

    [Fact]
    public void FromColumns_ProfilesWhatBuildProfilesFromRows()
    {
        var rows = Rows(new Random(19), 300, shift: 0);

        var fromRows = ReferenceProfile.Build(rows, include: p => p is "Amount" or "Optional" or "Country");
        var fromColumns = ReferenceProfile.FromColumns(
            new Dictionary<string, double[]> { ["Amount"] = [.. rows.Select(r => r.Amount)], ["Optional"] = [.. rows.Select(r => r.Optional ?? double.NaN)] },
            new Dictionary<string, string?[]> { ["Country"] = [.. rows.Select(r => r.Country)] });

        foreach (var (a, b) in fromRows.Features.Zip(fromColumns.Features))
        {
            Assert.Equal((a.Name, a.Kind, a.Count, a.Missing, a.NonFinite, a.Mean), (b.Name, b.Kind, b.Count, b.Missing, b.NonFinite, b.Mean));
            Assert.Equal(a.Categories.OrderBy(p => p.Key), b.Categories.OrderBy(p => p.Key));
        }

        Assert.Throws<MlOpsValidationException>(() => ReferenceProfile.FromColumns(new Dictionary<string, double[]> { ["a"] = [1], ["b"] = [1, 2] }));
        Assert.Throws<InvalidOperationException>(() => fromRows["Country"].QuantileEdges());
    }

    [Fact]
    public async Task Streaming_OnePredictionAtATime_GivesWhatTheBatchComputationGives()
    {
        var reference = ReferenceProfile.Build(Rows(new Random(2), 800, shift: 0));
        var monitor = new DriftMonitor<Row>(reference, new DriftOptions { WindowSize = 1000 });
        var closed = new TaskCompletionSource<DriftReport>(TaskCreationOptions.RunContinuationsAsynchronously);
        monitor.WindowClosed += (_, report) => closed.TrySetResult(report);
        var current = Rows(new Random(3), 1000, shift: 0.3);

        foreach (var row in current)
        {
            monitor.Observe(row);
        }

        var streamed = await closed.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var batch = monitor.Evaluate(current);

        Assert.Equal(batch.Features, streamed.Features);
        Assert.Equal(1000, streamed.Rows);
    }

    [Fact]
    public async Task Streaming_FromFourThreads_GivesWhatTheBatchComputationGives()
    {
        var reference = ReferenceProfile.Build(Rows(new Random(4), 1500, shift: 0));
        var monitor = new DriftMonitor<Row>(reference, new DriftOptions { WindowSize = 2000 });
        var reports = new List<DriftReport>();
        using var two = new SemaphoreSlim(0);
        monitor.WindowClosed += (_, report) =>
        {
            lock (reports)
            {
                reports.Add(report);
            }

            two.Release();
        };
        var current = Rows(new Random(5), 4000, shift: 0.1);

        await Task.WhenAll(Enumerable.Range(0, 4).Select(t => Task.Run(() =>
        {
            for (var i = t; i < current.Count; i += 4)
            {
                monitor.Observe(current[i]);
            }
        })));
        Assert.True(await two.WaitAsync(TimeSpan.FromSeconds(30)) && await two.WaitAsync(TimeSpan.FromSeconds(30)));

        // Which rows land in which window depends on the threads; together the two windows hold all 4,000 rows, and
        // each window's verdicts are those of the batch computation on its rows (checked through the counts).
        Assert.Equal(2, reports.Count);
        Assert.All(reports, r => Assert.Equal(2000, r.Rows));
        Assert.Equal(current.Count(r => r.Optional is null), reports.Sum(r => r.Features.Single(f => f.Feature == "Optional").Missing));
        Assert.Equal(4000, monitor.Captured);
    }

    [Fact]
    public async Task TimeWindows_CloseWithWhatTheyHold_AndAnEmptyOneReportsNoData()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var reference = ReferenceProfile.Build(Rows(new Random(16), 500, shift: 0));
        using var monitor = new DriftMonitor<Row>(reference, new DriftOptions { WindowSize = 1000, WindowDuration = TimeSpan.FromMinutes(1) }, time);
        var reports = new System.Collections.Concurrent.BlockingCollection<DriftReport>();
        monitor.WindowClosed += (_, r) => reports.Add(r);
        var first = Rows(new Random(17), 300, shift: 0.5);
        var second = Rows(new Random(18), 1000, shift: 0);

        first.ForEach(monitor.Observe);
        time.Advance(TimeSpan.FromMinutes(1));
        var byTime = await Next(reports);
        second.ForEach(monitor.Observe);
        var byCount = await Next(reports);
        time.Advance(TimeSpan.FromMinutes(1));
        var empty = await Next(reports);

        Assert.Equal(monitor.Evaluate(first).Features, byTime.Features);
        Assert.Equal(300, byTime.Rows);
        Assert.Equal(monitor.Evaluate(second).Features, byCount.Features);
        Assert.Equal(0, empty.Rows);
        Assert.All(empty.Features, f => Assert.Equal(("none", false), (f.Test, f.Drifted)));
        Assert.False(empty.DatasetDrifted);

        static Task<DriftReport> Next(System.Collections.Concurrent.BlockingCollection<DriftReport> reports) =>
            Task.Run(() => reports.TryTake(out var r, TimeSpan.FromSeconds(30)) ? r : throw new TimeoutException("No window closed."));
    }

    [Fact]
    public void Observe_IsAllocationFree()
    {
        var reference = ReferenceProfile.Build(Rows(new Random(6), 500, shift: 0));
        var monitor = new DriftMonitor<Row>(reference, new DriftOptions { WindowSize = 100_000 });
        var current = Rows(new Random(7), 5000, shift: 0);

        var allocated = Allocations.Fewest(warmUp: 1000, times: 4000, i => monitor.Observe(current[i % current.Count]));

        Assert.Equal(0, allocated);
        Assert.Equal(13_000, monitor.Captured);
    }

    [Fact]
    public void TestSelection_FollowsEvidentlysDefaults_AndFlagsAShift()
    {
        var small = new DriftMonitor<Row>(ReferenceProfile.Build(Rows(new Random(8), 900, shift: 0)));
        var large = new DriftMonitor<Row>(ReferenceProfile.Build(Rows(new Random(9), 3000, shift: 0)));
        var shifted = Rows(new Random(10), 1000, shift: 1.0);
        var same = Rows(new Random(11), 1000, shift: 0);

        var smallReport = small.Evaluate(shifted);
        var largeReport = large.Evaluate(shifted);

        Assert.Equal(["ks", "ks", "ks", "ks", "ks", "chisquare", "z"], smallReport.Features.Select(f => f.Test));
        Assert.Equal(["wasserstein", "wasserstein", "wasserstein", "wasserstein", "wasserstein", "jensenshannon", "jensenshannon"], largeReport.Features.Select(f => f.Test));
        Assert.True(smallReport.Features.Single(f => f.Feature == "Amount").Drifted);
        Assert.True(largeReport.Features.Single(f => f.Feature == "Amount").Drifted);
        Assert.False(small.Evaluate(same).Features.Single(f => f.Feature == "Amount").Drifted);
        Assert.False(small.Evaluate(same).DatasetDrifted);
    }

    [Fact]
    public void DefinedResults_ForMissingValues_UnseenCategories_ConstantColumns_AndEmptyWindows()
    {
        var reference = ReferenceProfile.Build(Rows(new Random(12), 600, shift: 0).Select(r => r with { Country = r.Country == "NZ" ? "FR" : r.Country, V = [1, r.V[1], r.V[2]] }));
        var monitor = new DriftMonitor<Row>(reference);
        var window = Rows(new Random(13), 500, shift: 0).Select(r => r with { Optional = null, Country = "NZ", V = [1, r.V[1], r.V[2]] }).ToList();

        var report = monitor.Evaluate(window);

        var optional = report.Features.Single(f => f.Feature == "Optional");
        Assert.Equal(("none", false, 500, 0), (optional.Test, optional.Drifted, optional.Missing, optional.Values));
        Assert.True(double.IsNaN(optional.Score));
        var country = report.Features.Single(f => f.Feature == "Country");
        Assert.Equal((1, true, 0.0), (country.UnseenCategories, country.Drifted, country.Score));
        var constant = report.Features.Single(f => f.Feature == "V[0]");
        Assert.Equal(("z", false, 1.0), (constant.Test, constant.Drifted, constant.Score));
        Assert.Throws<MlOpsValidationException>(() => ReferenceProfile.Build(Array.Empty<Row>()));
    }

    [Fact]
    public void Corrections_RaiseTheBarForManyFeatures_AndTheEffectFloorIgnoresTrivialShifts()
    {
        var reference = ReferenceProfile.Build(Rows(new Random(14), 1000, shift: 0));
        var window = Rows(new Random(15), 1000, shift: 0.15);
        var plain = new DriftMonitor<Row>(reference).Evaluate(window);
        var bonferroni = new DriftMonitor<Row>(reference, new DriftOptions { Correction = MultipleTestingCorrection.Bonferroni }).Evaluate(window);
        var floored = new DriftMonitor<Row>(reference, new DriftOptions { EffectSizeFloor = 10 }).Evaluate(window);

        var tests = plain.Features.Count(f => f.IsPValue);
        Assert.All(bonferroni.Features.Where(f => f.IsPValue), f => Assert.Equal(0.05 / tests, f.Threshold, 12));
        Assert.True(bonferroni.DriftedFeatures <= plain.DriftedFeatures);
        Assert.True(plain.DriftedFeatures > 0);
        Assert.Equal(0, floored.DriftedFeatures);
    }

    private static List<Row> Rows(Random random, int count, double shift) =>
        Enumerable.Range(0, count).Select(i => new Row
        {
            Amount = i == 7 && shift == 0 ? double.PositiveInfinity : Normal(random) + shift,
            V = [(float)(Normal(random) + shift), (float)random.NextDouble(), (float)(random.NextDouble() * 3)],
            Optional = random.NextDouble() < 0.1 ? null : Normal(random),
            Country = random.NextDouble() switch { < 0.5 => "FR", < 0.8 => "DE", < 0.95 => "NZ", _ => "US" },
            Flag = random.NextDouble() < 0.3 + (shift / 4),
        }).ToList();

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    public sealed record Row
    {
        public double Amount { get; init; }

        public float[] V { get; init; } = [];

        public double? Optional { get; init; }

        public string? Country { get; init; }

        public bool Flag { get; init; }
    }
}
