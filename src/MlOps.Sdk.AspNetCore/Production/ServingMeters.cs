using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using MlOps.Sdk.AspNetCore.Management;

namespace MlOps.Sdk.AspNetCore.Production;

/// <summary>
/// Listens to this application's <c>MlOps.Sdk.Serving</c> meter (only the instruments made by its own
/// <see cref="IMeterFactory"/>, never another application's in the same process) and keeps, per model, the last
/// <see cref="Slots"/> slots of <see cref="SlotLength"/>: predictions served (every variant but the shadow), errors and a
/// latency histogram; and the shadow comparisons since start. This is what the dashboard's production page shows without an external metrics system.
/// </summary>
internal sealed class ServingMeters : IDisposable
{
    public const int Slots = 60;
    public static readonly TimeSpan SlotLength = TimeSpan.FromSeconds(10);

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, ModelSeries> _models = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    public ServingMeters(IMeterFactory factory, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "MlOps.Sdk.Serving" && ReferenceEquals(instrument.Meter.Scope, factory) && instrument.Name is
                "mlops.serving.predictions" or "mlops.serving.errors" or "mlops.serving.latency" or "mlops.serving.shadow.comparisons")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => OnCount(instrument.Name, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => OnLatency(value, tags));
        _listener.Start();
    }

    /// <summary>The models that have served at least once.</summary>
    public IReadOnlyCollection<string> Models => [.. _models.Keys];

    public ServingSnapshot? Snapshot(string model) =>
        _models.TryGetValue(model, out var series) ? series.Snapshot(_time.GetUtcNow()) : null;

    public void Dispose() => _listener.Dispose();

    private void OnCount(string instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (Model(tags) is not { } series || (instrument != "mlops.serving.shadow.comparisons" && IsShadow(tags)))
        {
            return;
        }

        var now = _time.GetUtcNow();
        switch (instrument)
        {
            case "mlops.serving.predictions":
                series.Add(now, predictions: value, errors: 0);
                break;
            case "mlops.serving.errors":
                series.Add(now, predictions: 0, errors: value);
                break;
            default:
                series.Shadow(Tag(tags, "mlops.shadow.outcome") as string, value);
                break;
        }
    }

    private void OnLatency(double seconds, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (!IsShadow(tags))
        {
            Model(tags)?.Latency(_time.GetUtcNow(), seconds);
        }
    }

    /// <summary>A shadow's predictions are not served to anyone: they count as comparisons, not as traffic.</summary>
    private static bool IsShadow(ReadOnlySpan<KeyValuePair<string, object?>> tags) => Tag(tags, "mlops.variant") as string == "shadow";

    private ModelSeries? Model(ReadOnlySpan<KeyValuePair<string, object?>> tags) =>
        Tag(tags, "mlops.model") is string name ? _models.GetOrAdd(name, static _ => new ModelSeries()) : null;

    private static object? Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string key)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == key)
            {
                return tag.Value;
            }
        }

        return null;
    }

    /// <summary>A ring of slots, each reused once its time has passed.</summary>
    private sealed class ModelSeries
    {
        private readonly Lock _sync = new();
        private readonly Slot[] _slots = [.. Enumerable.Range(0, Slots).Select(_ => new Slot())];
        private readonly Dictionary<string, long> _shadow = new(StringComparer.Ordinal);

        public void Add(DateTimeOffset now, long predictions, long errors)
        {
            lock (_sync)
            {
                var slot = At(now);
                slot.Predictions += predictions;
                slot.Errors += errors;
            }
        }

        public void Latency(DateTimeOffset now, double seconds)
        {
            lock (_sync)
            {
                At(now).Latency.Add(seconds);
            }
        }

        public void Shadow(string? outcome, long value)
        {
            lock (_sync)
            {
                var key = outcome ?? "unknown";
                _shadow[key] = _shadow.GetValueOrDefault(key) + value;
            }
        }

        public ServingSnapshot Snapshot(DateTimeOffset now)
        {
            var current = SlotIndex(now);
            lock (_sync)
            {
                var slots = new List<ServingSlot>(Slots);
                for (var index = current - Slots + 1; index <= current; index++)
                {
                    var slot = _slots[(int)(index % Slots)];
                    var start = new DateTimeOffset(index * SlotLength.Ticks, TimeSpan.Zero);
                    slots.Add(slot.Index == index
                        ? new ServingSlot(start, slot.Predictions, slot.Errors, slot.Latency.Quantile(0.5), slot.Latency.Quantile(0.95))
                        : new ServingSlot(start, 0, 0, null, null));
                }

                return new ServingSnapshot(SlotLength.TotalSeconds, slots, new Dictionary<string, long>(_shadow, StringComparer.Ordinal));
            }
        }

        private Slot At(DateTimeOffset now)
        {
            var index = SlotIndex(now);
            var slot = _slots[(int)(index % Slots)];
            if (slot.Index != index)
            {
                slot.Reset(index);
            }

            return slot;
        }

        private static long SlotIndex(DateTimeOffset now) => now.UtcTicks / SlotLength.Ticks;
    }

    private sealed class Slot
    {
        public long Index = -1;
        public long Predictions;
        public long Errors;
        public readonly LatencyHistogram Latency = new();

        public void Reset(long index)
        {
            Index = index;
            Predictions = 0;
            Errors = 0;
            Latency.Clear();
        }
    }
}

/// <summary>Latencies in buckets growing by 10% from 1 µs: a quantile is its bucket's upper bound (within 10%).</summary>
internal sealed class LatencyHistogram
{
    private const double Smallest = 1e-6;
    private static readonly double Growth = Math.Log(1.1);
    private readonly long[] _counts = new long[200];
    private long _total;

    public void Add(double seconds)
    {
        var bucket = seconds <= Smallest ? 0 : Math.Min(_counts.Length - 1, (int)Math.Ceiling(Math.Log(seconds / Smallest) / Growth));
        _counts[bucket]++;
        _total++;
    }

    public void Clear()
    {
        Array.Clear(_counts);
        _total = 0;
    }

    /// <summary>The upper bound, in seconds, of the bucket holding quantile <paramref name="q"/>; null without values.</summary>
    public double? Quantile(double q)
    {
        if (_total == 0)
        {
            return null;
        }

        var rank = (long)Math.Ceiling(q * _total);
        long seen = 0;
        for (var bucket = 0; bucket < _counts.Length; bucket++)
        {
            seen += _counts[bucket];
            if (seen >= rank)
            {
                return Smallest * Math.Exp(bucket * Growth);
            }
        }

        return Smallest * Math.Exp((_counts.Length - 1) * Growth);
    }
}
