using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace MlOps.Sdk.Versioning;

/// <summary>The instruments of meter <c>MlOps.Sdk.Versioning</c>.</summary>
internal sealed class VersioningTelemetry
{
    public const string MeterName = "MlOps.Sdk.Versioning";

    /// <summary>Spans of registry operations and dataset snapshots, named as the meter is.</summary>
    public static readonly ActivitySource Source = new(MeterName);

    public VersioningTelemetry(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        VersionsRegistered = meter.CreateCounter<long>("mlops.versioning.versions.registered", "{version}", "Model versions that became ready.");
        AliasMoves = meter.CreateCounter<long>("mlops.versioning.alias.moves", "{move}", "Alias moves.");
        DatasetVersions = meter.CreateCounter<long>("mlops.versioning.dataset.versions", "{version}", "Dataset versions created.");
        CallbackErrors = meter.CreateCounter<long>("mlops.versioning.callback_errors", "{call}", "AliasMoved subscribers that threw; the move was made.");
        BytesHashed = meter.CreateCounter<long>("mlops.versioning.dataset.bytes_hashed", "By", "Bytes read and hashed by dataset snapshots (unchanged files are not).");
    }

    public Counter<long> VersionsRegistered { get; }

    public Counter<long> AliasMoves { get; }

    public Counter<long> DatasetVersions { get; }

    public Counter<long> BytesHashed { get; }

    public Counter<long> CallbackErrors { get; }

    /// <summary>Runs <paramref name="work"/> in a span <paramref name="operation"/> about <paramref name="subject"/>; a failure marks the span.</summary>
    public static async Task<T> TraceAsync<T>(string operation, string subject, Func<Task<T>> work)
    {
        using var activity = Source.StartActivity(operation);
        activity?.SetTag("mlops.subject", subject);
        try
        {
            return await work().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            activity?.SetTag("error.type", e.GetType().Name);
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            throw;
        }
    }
}
