using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using MlOps.Sdk.Tracking.Storage;

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
internal sealed class TrackingWriter : IAsyncDisposable, IDisposable
{
    private static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(30);

    /// <summary>How long a synchronous <see cref="Dispose"/> lets the writer write what is queued before cancelling it.</summary>
    private static readonly TimeSpan SyncDisposeGrace = TimeSpan.FromSeconds(5);

    private readonly BoundedRing<MetricRecord> _metrics;
    private readonly ConcurrentQueue<ControlRecord> _control = new();
    private readonly ConcurrentQueue<FlushRequest> _flushes = new();

    private readonly ParkingSignal _signal = new();
    private readonly Func<bool> _hasWork;
    private readonly ConcurrentDictionary<string, ActiveRun> _liveRuns = new(StringComparer.Ordinal);
    private readonly TrackingStore _store;
    private readonly Polly.ResiliencePipeline _writePipeline;
    private readonly TrackingOptions _options;
    private readonly TimeProvider _time;
    private readonly TrackingTelemetry _telemetry;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly TrackingWriteBatch _batch = new();
    private readonly List<FlushRequest> _pendingFlushes = [];
    private readonly Dictionary<(string RunId, string Key), SeriesBuffer> _series = [];
    private readonly List<SeriesBuffer> _pending = [];
    private readonly Lock _startLock = new();
    private readonly object _room = new();
    private readonly ManualResetEventSlim _loopEnded = new(initialState: true);
    private int _roomWaiters;
    private Task? _loop;
    private long _nextLeaseRenewal;
    private int _disposed;
    private long _batchNumber;
    private SeriesBuffer? _last;
    private ITimer? _leaseTimer;
    private Exception? _unreported;

    public TrackingWriter(TrackingStore store, Polly.ResiliencePipeline writePipeline, TrackingOptions options, TimeProvider time, TrackingTelemetry telemetry, ILogger<TrackingWriter> logger)
    {
        _store = store;
        _writePipeline = writePipeline;
        _options = options;
        _time = time;
        _telemetry = telemetry;
        _logger = logger;
        _metrics = new BoundedRing<MetricRecord>(options.QueueCapacity);
        _hasWork = () => _metrics.Count > 0 || !_control.IsEmpty || !_flushes.IsEmpty || _metrics.IsClosed || LeasesDue();
        telemetry.Meter.CreateObservableGauge("mlops.tracking.queue.depth", () => _metrics.Count, "{point}", "Metric points waiting for the writer.");
    }

    public int Capacity => _options.QueueCapacity;

    public TrackingStore Store => _store;

    public TrackingTelemetry Telemetry => _telemetry;

    public ILogger Logger => _logger;

    public TimeProvider Time => _time;

    public MetricQueueFullMode FullMode => _options.QueueFullMode;

    public DateTimeOffset NextLeaseExpiry() => _time.GetUtcNow() + _options.RunLease;

    public void ThrowIfStopped()
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            throw new ObjectDisposedException(nameof(TrackingWriter), "The tracker is shut down (its service provider was disposed); nothing more can be logged.");
        }
    }

    /// <summary>Queues a point without waiting or locking; false when the queue is full.</summary>
    public bool TryEnqueue(in MetricRecord record)
    {
        if (!_metrics.TryEnqueue(record))
        {
            return false;
        }

        _signal.WakeIfParked();
        return true;
    }

    /// <summary>Queues a point, blocking until the writer has drained some of the queue (<see cref="MetricQueueFullMode.Wait"/>).</summary>
    /// <exception cref="MetricQueueFullException">The queue stayed full for <see cref="TrackingOptions.QueueWaitTimeout"/>.</exception>
    public void EnqueueWhenRoom(in MetricRecord record)
    {
        EnsureStarted();
        var started = Stopwatch.GetTimestamp();
        lock (_room)
        {
            Interlocked.Increment(ref _roomWaiters);
            try
            {
                while (!TryEnqueue(record))
                {
                    ThrowIfStopped();
                    var left = _options.QueueWaitTimeout - Stopwatch.GetElapsedTime(started);
                    if (left <= TimeSpan.Zero)
                    {
                        throw new MetricQueueFullException(Capacity, _options.QueueWaitTimeout);
                    }

                    // The writer pulses after each drain; the slice bounds a wake-up lost to a race with it.
                    Monitor.Wait(_room, left < TimeSpan.FromMilliseconds(50) ? left : TimeSpan.FromMilliseconds(50));
                }
            }
            finally
            {
                Interlocked.Decrement(ref _roomWaiters);
            }
        }
    }

    /// <summary>Wakes the callers waiting for room; costs one read when nobody waits.</summary>
    private void SignalRoom()
    {
        Interlocked.MemoryBarrier();
        if (Volatile.Read(ref _roomWaiters) == 0)
        {
            return;
        }

        lock (_room)
        {
            Monitor.PulseAll(_room);
        }
    }

    public void Enqueue(ControlRecord record)
    {
        EnsureStarted();
        if (_metrics.IsClosed)
        {
            throw new ObjectDisposedException(nameof(TrackingWriter), "The tracker is shut down; nothing more can be logged.");
        }

        _control.Enqueue(record);
        Wake();
    }

    public void Track(ActiveRun run)
    {
        EnsureStarted();
        _liveRuns[run.Id] = run;
    }

    public void Untrack(string runId) => _liveRuns.TryRemove(runId, out _);

    /// <summary>Ends the runs still open (a graceful stop), each once what it logged is durable.</summary>
    public async Task EndOpenRunsAsync(CancellationToken cancellationToken)
    {
        foreach (var run in _liveRuns.Values)
        {
            try
            {
                await run.EndForAsync(RunStatus.Killed, StopReason, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                TrackingLog.EndOnStopFailed(_logger, e, run.Id);
            }
        }
    }

    /// <summary>The tag value of <c>mlops.end_reason</c> on runs ended by a graceful stop.</summary>
    public const string StopReason = "host_stopped";

    /// <summary>Completes when everything queued before the call is durable in the store.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        EnsureStarted();
        if (_metrics.IsClosed)
        {
            throw new ObjectDisposedException(nameof(TrackingWriter), "The tracker is shut down; everything logged before was flushed.");
        }

        // Taken after this caller's own points and control records were queued: the writer drains up to it.
        var request = new FlushRequest(_metrics.Claimed);
        _flushes.Enqueue(request);
        Wake();
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
            if (_loop is null)
            {
                // The timer only wakes the loop; whether leases are due is decided there. A run's first lease was
                // taken when it started, so the first renewal is due a third of a lease from now.
                var interval = _options.RunLease / 3;
                _nextLeaseRenewal = _time.GetTimestamp() + (long)(interval.TotalSeconds * _time.TimestampFrequency);
                _leaseTimer = _time.CreateTimer(static state => ((TrackingWriter)state!).Wake(), this, interval, interval);
                _loopEnded.Reset();
                _loop = Task.Run(RunAsync);
            }
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
        _metrics.Close();
        Wake();
        if (_leaseTimer is not null)
        {
            await _leaseTimer.DisposeAsync().ConfigureAwait(false);
        }

        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        _stopping.Dispose();
    }

    /// <summary>
    /// For containers disposed synchronously: stops taking points and lets the writer write what is queued for at most
    /// <see cref="SyncDisposeGrace"/> (milliseconds on a healthy store), then cancels it. Dispose asynchronously to wait
    /// for a slow store as long as <see cref="ShutdownGrace"/>.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _metrics.Close();
        Wake();
        _leaseTimer?.Dispose();
        if (!_loopEnded.Wait(SyncDisposeGrace))
        {
            TrackingLog.DisposeCancelledWrites(_logger, SyncDisposeGrace);
            _stopping.Cancel();
        }
    }

    private void Wake() => _signal.Wake();

    private async Task RunAsync()
    {
        try
        {
            await DrainAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            TrackingLog.WriterStopped(_logger, e);
            throw;
        }
        finally
        {
            _loopEnded.Set();
            lock (_room)
            {
                Monitor.PulseAll(_room);
            }
        }
    }

    private async Task DrainAsync()
    {
        while (true)
        {
            // Keep writing while the queue holds more than one batch, or a flush waits for points not written yet.
            while (DrainInto() || _pendingFlushes.Count > 0)
            {
                AddLeaseRenewals();
                await WriteBatchAsync().ConfigureAwait(false);
            }

            AddLeaseRenewals();
            if (!_batch.IsEmpty || _pending.Count > 0)
            {
                await WriteBatchAsync().ConfigureAwait(false);
            }

            if (_metrics.IsClosed && _metrics.Count == 0 && _control.IsEmpty && _flushes.IsEmpty)
            {
                break;
            }

            if (_metrics.Count > 0 && _options.BatchInterval > TimeSpan.Zero)
            {
                // Points keep coming: a pause in real time, not a reading of the clock. While it lasts no logging
                // thread pays for waking us.
                await Task.Delay(_options.BatchInterval, TimeProvider.System).ConfigureAwait(false);
                continue;
            }

            await _signal.ParkAsync(_hasWork).ConfigureAwait(false);
        }

        // Flushes that arrived as the tracker closed: everything before them is written now.
        DrainControl();
        await WriteBatchAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Moves queued records into the batch: the flushes asked for so far, then the control records (so that those
    /// queued before a flush are in its write), then points, up to the batch size or, at least, up to what those
    /// flushes wait for. True if it stopped at the batch size with more queued.
    /// </summary>
    private bool DrainInto()
    {
        var target = 0L;
        while (_flushes.TryDequeue(out var flush))
        {
            _pendingFlushes.Add(flush);
        }

        foreach (var flush in _pendingFlushes)
        {
            target = Math.Max(target, flush.Points);
        }

        DrainControl();
        var points = 0;
        var spinner = default(SpinWait);
        while (true)
        {
            if (!_metrics.TryDequeue(out var record))
            {
                if (_metrics.Taken >= target)
                {
                    break;
                }

                // A point a flush waits for is claimed but not yet published: its thread is between two instructions.
                spinner.SpinOnce();
                continue;
            }

            // Training loops log the same series many times in a row: skip the lookup for them.
            var series = ReferenceEquals(record.Key, _last?.Key) && ReferenceEquals(record.RunId, _last.RunId) ? _last : Series(record);
            series.Add(new Metric(record.Value, record.Step, record.Timestamp));
            if (++points == _options.MaxBatchSize)
            {
                SignalRoom();
                return _metrics.Count > 0;
            }
        }

        if (points > 0)
        {
            SignalRoom();
        }

        return false;
    }

    private SeriesBuffer Series(in MetricRecord record)
    {
        var key = (record.RunId, record.Key);
        if (!_series.TryGetValue(key, out var series))
        {
            series = new SeriesBuffer(record.RunId, record.Key);
            _series[key] = series;
        }

        if (series.Count == 0)
        {
            _pending.Add(series);
        }

        _last = series;
        return series;
    }

    private void DrainControl()
    {
        while (_control.TryDequeue(out var record))
        {
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
    }

    private bool LeasesDue() => !_liveRuns.IsEmpty && _time.GetTimestamp() >= _nextLeaseRenewal;

    private void AddLeaseRenewals()
    {
        var now = _time.GetTimestamp();
        if (now < _nextLeaseRenewal || _liveRuns.IsEmpty)
        {
            return;
        }

        _batch.LeaseRenewals.AddRange(_liveRuns.Keys);
        _batch.LeaseExpiresAt = NextLeaseExpiry();
        _nextLeaseRenewal = now + (long)((_options.RunLease / 3).TotalSeconds * _time.TimestampFrequency);
    }

    private async Task WriteBatchAsync()
    {
        // Every point taken from the queue so far is in this batch or an earlier one.
        var written = _metrics.Taken;
        _batchNumber++;
        foreach (var series in _pending)
        {
            _batch.Metrics.Add(new MetricAppend(series.RunId, series.Key, series.Points));
            series.LastBatch = _batchNumber;
        }

        Exception? rejection = null;
        if (!_batch.IsEmpty)
        {
            rejection = await WriteWithRetryAsync().ConfigureAwait(false);
        }

        foreach (var series in _pending)
        {
            series.Clear();
        }

        _pending.Clear();
        _last = null;
        _batch.Clear();

        // A rejection no flush was waiting for goes to the next flush, so that it reaches a caller.
        _unreported ??= rejection;
        var completed = _pendingFlushes.RemoveAll(flush =>
        {
            if (flush.Points > written)
            {
                return false;
            }

            flush.Complete(_unreported);
            return true;
        });
        if (completed > 0)
        {
            _unreported = null;
        }

        ForgetIdleSeries();
    }

    /// <summary>Lets go of the buffers of series no batch has used for a while (ended runs, one-off keys).</summary>
    private void ForgetIdleSeries()
    {
        if (_series.Count < 1024)
        {
            return;
        }

        foreach (var (key, series) in _series)
        {
            if (series.LastBatch < _batchNumber - 16)
            {
                _series.Remove(key);
            }
        }
    }

    /// <summary>Writes the batch through the <see cref="MlOpsResiliencePipelines.TrackingWrite"/> pipeline; returns what rejected it, if anything.</summary>
    private async Task<Exception?> WriteWithRetryAsync()
    {
        using var activity = TrackingTelemetry.Source.StartActivity("mlops.tracking.flush");
        activity?.SetTag("mlops.tracking.points", _batch.PointCount);
        activity?.SetTag("mlops.tracking.records", _batch.Params.Count + _batch.Tags.Count + _batch.Inputs.Count);
        try
        {
            var result = await _writePipeline.ExecuteAsync(
                static async (writer, ct) =>
                {
                    var started = Stopwatch.GetTimestamp();
                    try
                    {
                        var result = await writer._store.WriteAsync(writer._batch, ct).ConfigureAwait(false);
                        writer._telemetry.FlushDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
                        return result;
                    }
                    catch (Exception e) when (e is not MlOpsException && !ct.IsCancellationRequested)
                    {
                        TrackingLog.WriteFailed(writer._logger, e, writer._batch.PointCount, writer._batch.Params.Count + writer._batch.Tags.Count + writer._batch.Inputs.Count);
                        throw;
                    }
                },
                this,
                _stopping.Token).ConfigureAwait(false);
            _telemetry.PointsWritten.Add(_batch.PointCount);
            return Report(result);
        }
        catch (Exception e)
        {
            // A rejection (MlOpsException), a stop that cut the retries short, or a pipeline that gave up.
            activity?.SetTag("error.type", e.GetType().Name);
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            TrackingLog.BatchRejected(_logger, e);
            return e;
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
