namespace MlOps.Sdk;

/// <summary>
/// The keys of the resilience pipelines the SDK takes from the host's <c>ResiliencePipelineProvider&lt;string&gt;</c>
/// (Polly.Extensions): they run on the host's <see cref="TimeProvider"/> and report through Polly's telemetry. Each layer
/// uses the pipeline the host registered under its key (<c>services.AddResiliencePipeline(key, ...)</c>, before or after
/// adding the layer), or else the default each key describes.
/// </summary>
public static class MlOpsResiliencePipelines
{
    /// <summary>
    /// Reading a model version's content for a host to load. The default retries I/O errors, timeouts, network errors
    /// and transient database errors 4 times, with exponential back-off from 200 ms and jitter; integrity and not-found
    /// errors are never retried, and the version serving keeps serving either way.
    /// </summary>
    public const string ModelLoad = "MlOps.Sdk.Serving.ModelLoad";

    /// <summary>
    /// Writing a batch of tracking data. The default retries every failure but a rejection (an <see cref="MlOpsException"/>)
    /// until the host stops, with exponential back-off from 50 ms to 5 s: acknowledged data is kept through an outage.
    /// </summary>
    public const string TrackingWrite = "MlOps.Sdk.Tracking.Write";

    /// <summary>
    /// A SQLite write transaction that found the database locked after its busy timeout. The default retries 5 times
    /// with exponential back-off from 50 ms and jitter.
    /// </summary>
    public const string SqliteBusy = "MlOps.Sdk.Storage.Sqlite.Busy";

    /// <summary>
    /// A PostgreSQL transaction that failed for a reason that may pass: a lost connection, a terminated backend, a
    /// server restarting, a serialization failure or deadlock. The transaction rolled back (or, when the connection was
    /// lost during its commit, is known to have committed or not), so it is run again whole. The default retries 8
    /// times with exponential back-off from 100 ms to 5 s and jitter.
    /// </summary>
    public const string PostgreSqlTransient = "MlOps.Sdk.Storage.PostgreSql.Transient";

    /// <summary>
    /// A whole operation on an object store (an upload with all its parts, a download's start, a listing page): each
    /// is idempotent, as content is named by its digest. The default retries server errors (5xx), throttling, network
    /// and I/O errors 4 times with exponential back-off from 200 ms and jitter, after the client's own retries.
    /// </summary>
    public const string ObjectStore = "MlOps.Sdk.Storage.ObjectStore";
}
