using System.Text.Json;
using MlOps.Sdk.Monitoring.Quality;

namespace MlOps.Sdk.Monitoring;

/// <summary>
/// The verdicts of the last closed windows (and, when a <see cref="PerformanceEstimator"/> runs beside the monitor, the
/// performance estimated and realised for them), oldest first, at most <see cref="Capacity"/> of each: what the time
/// view of the report draws. <see cref="ModelMonitor{TIn, TOut}"/> keeps one in the <see cref="State.StateStore"/>, so
/// that a restart continues it. Thread-safe.
/// </summary>
public sealed class DriftHistory
{
    private readonly Lock _sync = new();
    private readonly Queue<DriftWindow> _windows = new();
    private readonly Queue<PerformanceWindow> _performance = new();

    /// <summary>Creates an empty history.</summary>
    /// <param name="capacity">Windows kept (and performance windows kept), the oldest dropped first.</param>
    public DriftHistory(int capacity = 500)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
    }

    /// <summary>The most windows kept.</summary>
    public int Capacity { get; }

    /// <summary>The windows' verdicts, oldest first.</summary>
    public IReadOnlyList<DriftWindow> Windows
    {
        get
        {
            lock (_sync)
            {
                return [.. _windows];
            }
        }
    }

    /// <summary>The performance windows, oldest first.</summary>
    public IReadOnlyList<PerformanceWindow> Performance
    {
        get
        {
            lock (_sync)
            {
                return [.. _performance];
            }
        }
    }

    /// <summary>Keeps a closed window's verdicts.</summary>
    public DriftWindow Add(DriftReport report, DateTimeOffset closedAt)
    {
        ArgumentNullException.ThrowIfNull(report);
        var window = DriftWindow.Of(report, closedAt);
        lock (_sync)
        {
            Bounded(_windows, window);
        }

        return window;
    }

    /// <summary>Keeps a window's estimated performance, and its realised quality when its labels are in.</summary>
    public PerformanceWindow Add(PerformanceEstimate estimate, DateTimeOffset closedAt, QualityReport? realised = null)
    {
        ArgumentNullException.ThrowIfNull(estimate);
        var window = new PerformanceWindow(closedAt, estimate, realised?.Metrics.ToDictionary(StringComparer.Ordinal));
        lock (_sync)
        {
            Bounded(_performance, window);
        }

        return window;
    }

    /// <summary>Saves the history under <paramref name="key"/> (JSON), replacing what was there.</summary>
    public Task SaveAsync(State.StateStore store, string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var saved = new SavedHistory(Windows, Performance);
        return store.PutAsync(key, JsonSerializer.SerializeToUtf8Bytes(saved, ReportJson.Default.SavedHistory), cancellationToken);
    }

    /// <summary>Adds what an earlier process saved under <paramref name="key"/> before this history's own windows.</summary>
    /// <returns>The number of windows loaded (0 when nothing usable was saved).</returns>
    public async Task<int> LoadAsync(State.StateStore store, string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var bytes = await store.GetAsync(key, cancellationToken).ConfigureAwait(false);
        SavedHistory? saved;
        try
        {
            saved = bytes is null ? null : JsonSerializer.Deserialize(bytes, ReportJson.Default.SavedHistory);
        }
        catch (JsonException)
        {
            return 0;
        }

        if (saved is null)
        {
            return 0;
        }

        lock (_sync)
        {
            var (windows, performance) = (_windows.ToList(), _performance.ToList());
            _windows.Clear();
            _performance.Clear();
            foreach (var w in saved.Windows.Concat(windows))
            {
                Bounded(_windows, w);
            }

            foreach (var p in saved.Performance.Concat(performance))
            {
                Bounded(_performance, p);
            }
        }

        return saved.Windows.Count;
    }

    /// <summary>
    /// Writes the time view as one self-contained HTML page (no script, nothing fetched): per feature, its score across
    /// the windows with the threshold line and a marker on each drifted window; then estimated performance with its
    /// band and the realised values, per metric. Axes are labelled with their quantity and the windows' times (UTC).
    /// </summary>
    public Task SaveHtmlAsync(string path, string title = "Drift over time", CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return File.WriteAllTextAsync(path, HtmlTimeView.Render(Windows, Performance, title), cancellationToken);
    }

    private void Bounded<T>(Queue<T> queue, T item)
    {
        queue.Enqueue(item);
        while (queue.Count > Capacity)
        {
            queue.Dequeue();
        }
    }

    internal sealed record SavedHistory(IReadOnlyList<DriftWindow> Windows, IReadOnlyList<PerformanceWindow> Performance);
}

/// <summary>One closed window's verdicts, as the history keeps them.</summary>
/// <param name="ClosedAt">When the window closed.</param>
/// <param name="Rows">The window's rows.</param>
/// <param name="DatasetDrifted">The dataset verdict.</param>
/// <param name="Features">Each feature's verdict.</param>
public sealed record DriftWindow(DateTimeOffset ClosedAt, int Rows, bool DatasetDrifted, IReadOnlyList<FeatureVerdict> Features)
{
    internal static DriftWindow Of(DriftReport report, DateTimeOffset closedAt) => new(closedAt, report.Rows, report.DatasetDrifted, [.. report.Features.Select(f =>
        new FeatureVerdict(f.Feature, f.Test, f.Score, f.Statistic, f.Threshold, f.IsPValue, f.Drifted, Share(f.Missing, report.Rows), Share(f.NonFinite, report.Rows), Share(f.OutOfRange, f.Values), Share(f.UnseenValues, f.Values), f.UnseenCategories))]);

    private static double Share(int count, int rows) => rows == 0 ? 0 : (double)count / rows;
}

/// <summary>A feature's verdict in one window of the history.</summary>
/// <param name="Feature">The feature.</param>
/// <param name="Test">The test, by Evidently's name.</param>
/// <param name="Score">The p-value or the distance (NaN when the window had no value to test).</param>
/// <param name="Statistic">The test's statistic (<see cref="FeatureDrift.Statistic"/>).</param>
/// <param name="Threshold">The threshold the score was held to.</param>
/// <param name="IsPValue">Whether the score is a p-value.</param>
/// <param name="Drifted">The verdict.</param>
/// <param name="MissingShare">The share of the window's rows without a value.</param>
/// <param name="NonFiniteShare">The share of the window's rows with an infinite value.</param>
/// <param name="OutOfRangeShare">The share of the feature's numbers outside the reference's range.</param>
/// <param name="UnseenShare">The share of the feature's values of categories the reference never had.</param>
/// <param name="UnseenCategories">Categories of the window the reference never had.</param>
public sealed record FeatureVerdict(string Feature, string Test, double Score, double Statistic, double Threshold, bool IsPValue, bool Drifted, double MissingShare, double NonFiniteShare, double OutOfRangeShare, double UnseenShare, int UnseenCategories);

/// <summary>One window's estimated performance, and its realised quality once the labels are in.</summary>
/// <param name="ClosedAt">When the window closed.</param>
/// <param name="Estimate">The estimate.</param>
/// <param name="Realised">The realised metrics (<c>accuracy</c>, <c>roc_auc</c>, ...), or null while labels are missing.</param>
public sealed record PerformanceWindow(DateTimeOffset ClosedAt, PerformanceEstimate Estimate, IReadOnlyDictionary<string, double>? Realised);
