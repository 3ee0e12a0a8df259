using System.Collections.Concurrent;
using System.Globalization;
using MlOps.Sdk.Artifacts;
using MlOps.Sdk.Tracking.Storage;
using MlOps.Sdk.Tracking.Writing;

namespace MlOps.Sdk.Tracking;

/// <summary>
/// A run being written by this process. Logging methods queue the data for the background writer and return
/// at once; <see cref="FlushAsync"/>, <see cref="EndAsync"/> and disposal return once it is durable.
/// </summary>
/// <remarks>
/// Thread-safe. While the run is open its lease is renewed in the background; if the process dies, the run
/// reads as <see cref="RunStatus.Killed"/> once the lease (<see cref="TrackingOptions.RunLease"/>) runs out.
/// Disposing a run that was not ended ends it as <see cref="RunStatus.Finished"/>. When the host stops gracefully, runs
/// still open are ended as <see cref="RunStatus.Killed"/> with the tag <c>mlops.end_reason = host_stopped</c>
/// (<see cref="TrackingOptions.EndRunsOnStop"/>).
/// </remarks>
public sealed class ActiveRun : IAsyncDisposable
{
    private readonly TrackingWriter _writer;
    private readonly ArtifactStore _artifacts;
    private readonly ConcurrentDictionary<string, string> _params = new(StringComparer.Ordinal);
    private string? _lastValidKey;
    private long _dropped;
    private int _dropLogged;
    private int _ended;

    internal ActiveRun(RunInfo info, TrackingWriter writer, ArtifactStore artifacts)
    {
        Info = info;
        _writer = writer;
        _artifacts = artifacts;
    }

    /// <summary>The run's attributes as they were when it started.</summary>
    public RunInfo Info { get; }

    /// <summary>The run's id.</summary>
    public string Id => Info.RunId;

    /// <summary>How many metric points were dropped because the queue was full.</summary>
    public long DroppedPoints => Interlocked.Read(ref _dropped);

    /// <summary>
    /// Logs a metric value at <paramref name="step"/>, stamped with the current time unless <paramref name="timestamp"/>
    /// is given (when importing history). Allocates nothing, and never blocks unless the queue is full and
    /// <see cref="TrackingOptions.QueueFullMode"/> is <see cref="MetricQueueFullMode.Wait"/>.
    /// </summary>
    /// <exception cref="MlOpsValidationException">The key is not valid.</exception>
    /// <exception cref="MetricQueueFullException">The queue is full and <see cref="TrackingOptions.QueueFullMode"/> is <see cref="MetricQueueFullMode.Throw"/>, or it stayed full for <see cref="TrackingOptions.QueueWaitTimeout"/> in <see cref="MetricQueueFullMode.Wait"/>.</exception>
    public void LogMetric(string key, double value, long step = 0, DateTimeOffset? timestamp = null) =>
        Enqueue(key, value, step, (timestamp ?? _writer.Time.GetUtcNow()).ToUnixTimeMilliseconds());

    private void Enqueue(string key, double value, long step, long timestamp)
    {
        ThrowIfEnded();
        if (!ReferenceEquals(key, _lastValidKey))
        {
            TrackingLimits.ValidateKey(key, "metric");
            _lastValidKey = key;
        }

        var record = new MetricRecord(Info.RunId, key, value, step, timestamp);
        if (!_writer.TryEnqueue(record))
        {
            OnQueueFull(record);
        }
    }

    /// <summary>Logs a param. Params are written once: the same value again is accepted, a different one throws.</summary>
    /// <exception cref="MlOpsConflictException">The param was already logged with a different value.</exception>
    /// <exception cref="MlOpsValidationException">The key or value breaks a <see cref="TrackingLimits"/> limit.</exception>
    public void LogParam(string key, string value)
    {
        ThrowIfEnded();
        TrackingLimits.ValidateKey(key, "param");
        TrackingLimits.ValidateValue(value, TrackingLimits.MaxParamValueLength, "param", key);
        var stored = _params.GetOrAdd(key, value);
        if (!string.Equals(stored, value, StringComparison.Ordinal))
        {
            throw new MlOpsConflictException($"Param '{key}' of run {Id} is already '{stored}' and cannot become '{value}'. Params are written once; log the new value under another key or start a new run.");
        }

        _writer.Enqueue(new ControlRecord.Param(new RunValue(Id, key, value)));
    }

    /// <summary>Logs a numeric param, written in the invariant culture so that searches compare it as a number.</summary>
    public void LogParam(string key, double value) => LogParam(key, value.ToString("R", CultureInfo.InvariantCulture));

    /// <summary>Logs an integer param.</summary>
    public void LogParam(string key, long value) => LogParam(key, value.ToString(CultureInfo.InvariantCulture));

    /// <summary>Logs a boolean param as <c>true</c> or <c>false</c>.</summary>
    public void LogParam(string key, bool value) => LogParam(key, value ? "true" : "false");

    /// <summary>Sets a tag; tags can change.</summary>
    public void SetTag(string key, string value)
    {
        ThrowIfEnded();
        TrackingLimits.ValidateKey(key, "tag");
        TrackingLimits.ValidateValue(value, TrackingLimits.MaxTagValueLength, "tag", key);
        _writer.Enqueue(new ControlRecord.Tag(new RunTag(Id, key, value)));
    }

    /// <summary>Deletes a tag.</summary>
    public void DeleteTag(string key)
    {
        ThrowIfEnded();
        TrackingLimits.ValidateKey(key, "tag");
        _writer.Enqueue(new ControlRecord.Tag(new RunTag(Id, key, null)));
    }

    /// <summary>Records that the run used a dataset version.</summary>
    public void LogInput(DatasetInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        ThrowIfEnded();
        TrackingLimits.ValidateName(input.Name, "dataset");
        TrackingLimits.ValidateValue(input.Context, TrackingLimits.MaxKeyLength, "dataset input", "context");
        if (input.Digest == default)
        {
            throw new MlOpsValidationException($"Dataset input '{input.Name}' has no digest.");
        }

        _writer.Enqueue(new ControlRecord.Input(new RunInput(Id, input)));
    }

    /// <summary>Stores <paramref name="content"/> in the artifact store and records it under <paramref name="path"/>. Returns once durable.</summary>
    /// <exception cref="UnsafePathException"><paramref name="path"/> is not a plain relative path.</exception>
    public async Task<RunArtifact> LogArtifactAsync(string path, Stream content, CancellationToken cancellationToken = default)
    {
        var relative = RelativePath.Parse(path);
        ArgumentNullException.ThrowIfNull(content);
        var stored = await _artifacts.PutAsync(content, cancellationToken).ConfigureAwait(false);
        var artifact = new RunArtifact(relative, stored.Digest, stored.Length);
        await _writer.Store.RecordArtifactAsync(Id, artifact, cancellationToken).ConfigureAwait(false);
        return artifact;
    }

    /// <summary>Stores a file as an artifact, under <paramref name="path"/> or else the file's name.</summary>
    public async Task<RunArtifact> LogArtifactFileAsync(string filePath, string? path = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(filePath);
        var file = File.OpenRead(filePath);
        await using (file.ConfigureAwait(false))
        {
            return await LogArtifactAsync(path ?? Path.GetFileName(filePath), file, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Returns once everything logged so far is durable.</summary>
    /// <remarks>The writer is shared by the tracker's runs: an error is thrown by the first flush, of any run, after it happened.</remarks>
    /// <exception cref="MlOpsConflictException">Since the previous flush, the store refused a param another process had written differently.</exception>
    public Task FlushAsync(CancellationToken cancellationToken = default) => _writer.FlushAsync(cancellationToken);

    /// <summary>Makes everything logged durable and ends the run with <paramref name="status"/>.</summary>
    public Task EndAsync(RunStatus status = RunStatus.Finished, CancellationToken cancellationToken = default) =>
        EndForAsync(status, reason: null, cancellationToken);

    /// <summary>Ends the run, first tagging why (<c>mlops.end_reason</c>) when it is not its own code that ends it.</summary>
    internal async Task EndForAsync(RunStatus status, string? reason, CancellationToken cancellationToken)
    {
        if (status == RunStatus.Running)
        {
            throw new ArgumentOutOfRangeException(nameof(status), "A run cannot end as running.");
        }

        if (Interlocked.Exchange(ref _ended, 1) == 1)
        {
            return;
        }

        if (reason is not null)
        {
            _writer.Enqueue(new ControlRecord.Tag(new RunTag(Id, EndReasonTag, reason)));
        }

        try
        {
            await _writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            try
            {
                await _writer.Store.EndRunAsync(Id, status, _writer.Time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
                TrackingLog.RunEnded(_writer.Logger, Id, status);
            }
            finally
            {
                // Even if the end was not recorded, stop renewing: the run then reads as killed when its lease runs out.
                _writer.Untrack(Id);
            }
        }
    }

    /// <summary>The tag that says why a run was ended from outside its code (<c>host_stopped</c>: the host shut down gracefully).</summary>
    public const string EndReasonTag = "mlops.end_reason";

    /// <summary>Ends the run as finished if it was not ended.</summary>
    public async ValueTask DisposeAsync() => await EndAsync(RunStatus.Finished).ConfigureAwait(false);

    private void ThrowIfEnded()
    {
        if (Volatile.Read(ref _ended) != 0)
        {
            throw new InvalidOperationException($"Run {Id} has ended; start a new run to log more.");
        }
    }

    private void OnQueueFull(in MetricRecord record)
    {
        _writer.ThrowIfStopped();
        switch (_writer.FullMode)
        {
            case MetricQueueFullMode.Throw:
                throw new MetricQueueFullException(_writer.Capacity);
            case MetricQueueFullMode.Wait:
                _writer.EnqueueWhenRoom(record);
                return;
        }

        Interlocked.Increment(ref _dropped);
        _writer.Telemetry.PointsDropped.Add(1);
        if (Interlocked.Exchange(ref _dropLogged, 1) == 0)
        {
            TrackingLog.PointsDropped(_writer.Logger, Id, _writer.Capacity);
        }
    }
}
