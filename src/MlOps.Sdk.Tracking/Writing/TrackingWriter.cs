using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace MlOps.Sdk.Tracking.Writing;

/// <summary>
/// The single background writer of a tracker: drains the metric and control queues into batches, writes each
/// batch to the store in one transaction, renews the leases of live runs, and completes flush requests once
/// everything queued before them is durable.
/// </summary>
/// <remarks>
/// Failures of the store (I/O, a locked database) are retried with backoff and the data kept in memory; a batch
/// the store rejects as invalid is discarded and reported to the flushes waiting on it.
/// </remarks>
internal sealed class TrackingWriter : IAsyncDisposable
{
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(30);

    private readonly Channel<MetricRecord> _metrics;
    private readonly Channel<ControlRecord> _control = Channel.CreateUnbounded<ControlRecord>(new() { SingleReader = true });
    private readonly ConcurrentDictionary<string, byte> _liveRuns = new(StringComparer.Ordinal);
    private readonly TrackingStore _store;
    private readonly TrackingOptions _options;
    private readonly TimeProvider _time;
    private readonly TrackingTelemetry _telemetry;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly TrackingWriteBatch _batch = new();
    private readonly List<FlushRequest> _pendingFlushes = [];
    private readonly Dictionary<(string RunId, string Key), List<Metric>> _series = [];
    private readonly Lock _startLock = new();
    private Task? _loop;
    private long _nextLeaseRenewal;
    private int _disposed;
    private string? _lastRunId;
    private string? _lastKey;
    private List<Metric>? _lastSeries;

    public TrackingWriter(TrackingStore store, TrackingOptions options, TimeProvider time, TrackingTelemetry telemetry, ILogger<TrackingWriter> logger)
    {
        _store = store;
        _options = options;
        _time = time;
        _telemetry = telemetry;
        _logger = logger;
        _metrics = Channel.CreateBounded<MetricRecord>(new BoundedChannelOptions(options.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        telemetry.Meter.CreateObservableGauge("mlops.tracking.queue.depth", () => _metrics.Reader.Count, "{point}", "Metric points waiting for the writer.");
    }

    public int Capacity => _options.QueueCapacity;

    public TrackingStore Store => _store;

    public TrackingTelemetry Telemetry => _telemetry;

    public ILogger Logger => _logger;

    public TimeProvider Time => _time;

    public MetricQueueFullMode FullMode => _options.QueueFullMode;

    public DateTimeOffset NextLeaseExpiry() => _time.GetUtcNow() + _options.RunLease;

    /// <summary>Queues a point without waiting; false when the queue is full.</summary>
    public bool TryEnqueue(in MetricRecord record) => _metrics.Writer.TryWrite(record);

    public void Enqueue(ControlRecord record)
    {
        EnsureStarted();
        if (!_control.Writer.TryWrite(record))
        {
            throw new ObjectDisposedException(nameof(TrackingWriter), "The tracker is shut down; nothing more can be logged.");
        }
    }

    public void Track(string runId)
    {
        EnsureStarted();
        _liveRuns[runId] = 0;
    }

    public void Untrack(string runId) => _liveRuns.TryRemove(runId, out _);

    /// <summary>Completes when everything queued before the call is durable in the store.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        EnsureStarted();
        var request = new FlushRequest();
        try
        {
            await _metrics.Writer.WriteAsync(new MetricRecord(string.Empty, string.Empty, 0, 0, 0, request), cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            throw new ObjectDisposedException(nameof(TrackingWriter), "The tracker is shut down; everything logged before was flushed.");
        }

        await request.Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public void EnsureStarted()
    {
        if (_loop is not null)
        {
            return;
        }

        lock (_startLock)
        {
            _loop ??= Task.Run(RunAsync);
        }
    }

    /// <summary>Writes what is queued and stops; gives up retrying a failing store after <see cref="ShutdownGrace"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _stopping.CancelAfter(ShutdownGrace);
        _metrics.Writer.TryComplete();
        _control.Writer.TryComplete();
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task RunAsync()
    {
        var reader = _metrics.Reader;
        var leaseInterval = _options.RunLease / 3;
        while (true)
        {
            var drained = DrainInto(reader);
            if (!drained && _batch.IsEmpty && _pendingFlushes.Count == 0)
            {
                if (reader.Completion.IsCompleted && _control.Reader.Completion.IsCompleted)
                {
                    return;
                }

                await WaitForWorkAsync(leaseInterval).ConfigureAwait(false);
                DrainInto(reader);
            }

            AddLeaseRenewals(leaseInterval);
            await WriteBatchAsync().ConfigureAwait(false);
        }
    }

    private async Task WaitForWorkAsync(TimeSpan leaseInterval)
    {
        using var wake = new CancellationTokenSource();
        var metrics = _metrics.Reader.WaitToReadAsync(wake.Token).AsTask();
        var control = _control.Reader.WaitToReadAsync(wake.Token).AsTask();
        var lease = Task.Delay(leaseInterval, _time, wake.Token);
        await Task.WhenAny(metrics, control, lease).ConfigureAwait(false);
        await wake.CancelAsync().ConfigureAwait(false);
    }

    /// <summary>Moves queued records into the batch, stopping at a flush marker or the batch size.</summary>
    private bool DrainInto(ChannelReader<MetricRecord> reader)
    {
        var any = DrainControl();
        var points = 0;
        while (points < _options.MaxBatchSize && reader.TryRead(out var record))
        {
            any = true;
            if (record.Flush is not null)
            {
                // Control records queued before this flush must be in the same write.
                DrainControl();
                _pendingFlushes.Add(record.Flush);
                break;
            }

            // Training loops log the same series many times in a row: skip the lookup for them.
            var list = ReferenceEquals(record.Key, _lastKey) && ReferenceEquals(record.RunId, _lastRunId) ? _lastSeries! : Series(record);
            list.Add(new Metric(record.Value, record.Step, record.Timestamp));
            points++;
        }

        return any;
    }

    private List<Metric> Series(in MetricRecord record)
    {
        var key = (record.RunId, record.Key);
        if (!_series.TryGetValue(key, out var list))
        {
            list = [];
            _series[key] = list;
        }

        _lastRunId = record.RunId;
        _lastKey = record.Key;
        _lastSeries = list;
        return list;
    }

    private bool DrainControl()
    {
        var any = false;
        while (_control.Reader.TryRead(out var record))
        {
            any = true;
            switch (record)
            {
                case ControlRecord.Param p:
                    _batch.Params.Add(p.Value);
                    break;
                case ControlRecord.Tag t:
                    _batch.Tags.Add(t.Value);
                    break;
                case ControlRecord.Input i:
                    _batch.Inputs.Add(i.Value);
                    break;
            }
        }

        return any;
    }

    private void AddLeaseRenewals(TimeSpan leaseInterval)
    {
        var now = _time.GetTimestamp();
        if (now < _nextLeaseRenewal || _liveRuns.IsEmpty)
        {
            return;
        }

        _batch.LeaseRenewals.AddRange(_liveRuns.Keys);
        _batch.LeaseExpiresAt = NextLeaseExpiry();
        _nextLeaseRenewal = now + (long)(leaseInterval.TotalSeconds * _time.TimestampFrequency);
    }

    private async Task WriteBatchAsync()
    {
        foreach (var ((runId, key), points) in _series)
        {
            _batch.Metrics.Add(new MetricAppend(runId, key, points.ToArray()));
        }

        _series.Clear();
        _lastSeries = null;
        _lastKey = _lastRunId = null;
        Exception? rejection = null;
        if (!_batch.IsEmpty)
        {
            rejection = await WriteWithRetryAsync().ConfigureAwait(false);
        }

        _batch.Clear();
        foreach (var flush in _pendingFlushes)
        {
            flush.Complete(rejection);
        }

        _pendingFlushes.Clear();
    }

    private async Task<Exception?> WriteWithRetryAsync()
    {
        var delay = TimeSpan.FromMilliseconds(50);
        while (true)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                var result = await _store.WriteAsync(_batch, _stopping.Token).ConfigureAwait(false);
                _telemetry.FlushDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
                _telemetry.PointsWritten.Add(_batch.PointCount);
                return Report(result);
            }
            catch (MlOpsException e)
            {
                TrackingLog.BatchRejected(_logger, e);
                return e;
            }
            catch (Exception e)
            {
                if (_stopping.IsCancellationRequested)
                {
                    TrackingLog.BatchRejected(_logger, e);
                    return e;
                }

                TrackingLog.WriteFailed(_logger, e, _batch.PointCount, _batch.Params.Count + _batch.Tags.Count + _batch.Inputs.Count, delay);
                await Task.Delay(delay, _time, _stopping.Token).ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
            }
        }
    }

    private MlOpsConflictException? Report(TrackingWriteResult result)
    {
        if (result.ParamConflicts.Count == 0)
        {
            return null;
        }

        foreach (var c in result.ParamConflicts)
        {
            TrackingLog.ParamConflict(_logger, c.RunId, c.Key, c.StoredValue, c.RejectedValue);
        }

        var first = result.ParamConflicts[0];
        return new MlOpsConflictException(
            $"Param '{first.Key}' of run {first.RunId} is already '{first.StoredValue}' and cannot become '{first.RejectedValue}' (params are written once; {result.ParamConflicts.Count} conflict(s) in all). Log the new value under another key or start a new run.");
    }
}
