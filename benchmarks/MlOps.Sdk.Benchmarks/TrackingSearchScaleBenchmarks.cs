using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using MlOps.Sdk.Tracking;

namespace MlOps.Sdk.Benchmarks;

/// <summary>
/// Search at 10,000, 100,000 and 1,000,000 runs in the embedded store: runs in 10 experiments, each with 10 metrics,
/// 10 params and 3 tags, imported through <see cref="ExperimentTracker.ImportRunsAsync"/> once per size into
/// <c>$TMPDIR/mlops-search-scale/</c> and reused by later runs (delete the directory to fill again). The baseline is
/// reading one run by id, which costs the same at every size.
/// </summary>
[MemoryDiagnoser]
public class TrackingSearchScaleBenchmarks
{
    private const int Experiments = 10;
    private const int PageSize = 100;

    private static readonly RunSearchQuery MetricRange = new() { Filter = "metrics.m0 > 0.9", OrderBy = ["metrics.m0 DESC"], MaxResults = PageSize };
    private static readonly RunSearchQuery OrFilter = new() { Filter = "(metrics.m0 > 0.9 OR params.p1 = 'v3') AND metrics.m5 < 0.5", OrderBy = ["metrics.m0 DESC"], MaxResults = PageSize };
    private static readonly RunSearchQuery RareTag = new() { Filter = "tags.t1 = 'x42'", MaxResults = 10 };
    private static readonly RunSearchQuery AllByMetric = new() { OrderBy = ["metrics.m0 DESC"], MaxResults = PageSize };

    private ServiceProvider _services = null!;
    private ExperimentTracker _tracker = null!;
    private string _someRun = null!;
    private string _page50Token = null!;

    /// <summary>The runs in the store.</summary>
    [Params(10_000, 100_000, 1_000_000)]
    public int Runs { get; set; }

    [GlobalSetup]
    public async Task Setup()
    {
        var directory = Path.Combine(CacheDirectory, Runs.ToString(CultureInfo.InvariantCulture));
        var complete = Path.Combine(directory, "complete");
        if (!File.Exists(complete))
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }

            Directory.CreateDirectory(directory);
            _services = Build(directory);
            await ResetAsync(_services);
            var elapsed = await FillAsync(_services.GetRequiredService<ExperimentTracker>(), Runs);
            await File.WriteAllTextAsync(complete, FormattableString.Invariant($"{Runs} runs imported in {elapsed.TotalSeconds:0.0} s ({Runs / elapsed.TotalSeconds:0} runs/s)\n"));
            await _services.DisposeAsync();
        }

        Console.WriteLine("// Fill: " + await File.ReadAllTextAsync(complete));
        _services = Build(directory);
        _tracker = _services.GetRequiredService<ExperimentTracker>();
        _someRun = RunId(Runs / 2);
        var token = (string?)null;
        for (var page = 1; page < 50; page++)
        {
            token = (await _tracker.SearchRunsAsync(AllByMetric with { PageToken = token })).NextPageToken;
        }

        _page50Token = token!;
    }

    [GlobalCleanup]
    public Task Cleanup() => _services.DisposeAsync().AsTask();

    /// <summary>Imports <paramref name="runs"/> synthetic runs, as many in each of 10 experiments.</summary>
    public static async Task<TimeSpan> FillAsync(ExperimentTracker tracker, int runs)
    {
        var random = new Random(3);
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var stopwatch = Stopwatch.StartNew();
        for (var e = 0; e < Experiments; e++)
        {
            await tracker.ImportRunsAsync($"sweep-{e}", Enumerable.Range(0, runs / Experiments).Select(k =>
            {
                var i = (k * Experiments) + e;
                var metrics = new Dictionary<string, IReadOnlyList<Metric>>(10);
                var parameters = new Dictionary<string, string>(10);
                for (var key = 0; key < 10; key++)
                {
                    metrics["m" + key] = [new Metric(random.NextDouble(), 0, start.ToUnixTimeMilliseconds())];
                    parameters["p" + key] = "v" + random.Next(50);
                }

                var tags = new Dictionary<string, string> { ["t0"] = "y" + random.Next(10), ["t1"] = "x" + random.Next(1000), ["t2"] = "z" + random.Next(100) };
                return new RunImport($"run-{i}", RunStatus.Finished, start.AddSeconds(i), start.AddSeconds(i + 60))
                {
                    RunId = RunId(i),
                    Metrics = metrics,
                    Params = parameters,
                    Tags = tags,
                };
            }));
        }

        return stopwatch.Elapsed;
    }

    [Benchmark(Baseline = true)]
    public async Task<int> GetRun() => (await _tracker.GetRunAsync(_someRun))!.Metrics.Count;

    /// <summary><c>metrics.m0 &gt; 0.9</c> ordered by <c>metrics.m0 DESC</c>, 100 runs.</summary>
    [Benchmark]
    public async Task<int> MetricRangeOrdered() => (await _tracker.SearchRunsAsync(MetricRange)).Runs.Count;

    /// <summary><c>(metrics.m0 &gt; 0.9 OR params.p1 = 'v3') AND metrics.m5 &lt; 0.5</c>, the same order.</summary>
    [Benchmark]
    public async Task<int> OrFilterOrdered() => (await _tracker.SearchRunsAsync(OrFilter)).Runs.Count;

    /// <summary>
    /// <c>tags.t1 = 'x42'</c>: 0.1% of runs, newest first, a page of 10 — what every size holds (the 10,000-run store
    /// has 10 such runs), so each size returns the same runs' worth of data.
    /// </summary>
    [Benchmark]
    public async Task<int> RareTagLookup() => (await _tracker.SearchRunsAsync(RareTag)).Runs.Count;

    /// <summary>The same with pages of 100: 10 runs at 10,000, a full page from 100,000.</summary>
    [Benchmark]
    public async Task<int> RareTagLookupPage100() => (await _tracker.SearchRunsAsync(RareTag with { MaxResults = PageSize })).Runs.Count;

    /// <summary>Page 50 (runs 4,901–5,000) of every run ordered by <c>metrics.m0 DESC</c>, from its page token.</summary>
    [Benchmark]
    public async Task<int> Page50() => (await _tracker.SearchRunsAsync(AllByMetric with { PageToken = _page50Token })).Runs.Count;

    /// <summary>Pages 1 to 50 of the same search, each from the previous page's token.</summary>
    [Benchmark]
    public async Task<int> WalkFiftyPages()
    {
        var (count, token) = (0, (string?)null);
        for (var page = 0; page < 50; page++)
        {
            var result = await _tracker.SearchRunsAsync(AllByMetric with { PageToken = token });
            (count, token) = (count + result.Runs.Count, result.NextPageToken);
        }

        return count;
    }

    /// <summary>Empties a store a fill left unfinished; a new directory is empty already.</summary>
    protected virtual Task ResetAsync(IServiceProvider services) => Task.CompletedTask;

    /// <summary>Where each size's filled store (or its marker) is kept between runs.</summary>
    protected virtual string CacheDirectory => Path.Combine(Path.GetTempPath(), "mlops-search-scale");

    /// <summary>The services over the store of one size, kept in <paramref name="directory"/>.</summary>
    protected virtual ServiceProvider Build(string directory)
    {
        var services = new ServiceCollection();
        services.AddMlOps(o => o.RootDirectory = directory).AddTracking().UseSqlite();
        return services.BuildServiceProvider();
    }

    private static string RunId(int i) => i.ToString("x32", CultureInfo.InvariantCulture);
}
