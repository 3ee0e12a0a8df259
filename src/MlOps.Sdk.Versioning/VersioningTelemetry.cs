using System.Diagnostics.Metrics;

namespace MlOps.Sdk.Versioning;

/// <summary>The instruments of meter <c>MlOps.Sdk.Versioning</c>.</summary>
internal sealed class VersioningTelemetry
{
    public const string MeterName = "MlOps.Sdk.Versioning";

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
}
