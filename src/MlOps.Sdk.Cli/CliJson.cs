using System.Text.Json;
using System.Text.Json.Serialization;
using MlOps.Sdk.Storage.PostgreSql.Migration;
using MlOps.Sdk.Tracking;
using MlOps.Sdk.Versioning;
using MlOps.Sdk.Versioning.Audit;
using MlOps.Sdk.Versioning.Collection;

namespace MlOps.Sdk.Cli;

/// <summary>A model and its versions, for <c>models show</c>.</summary>
internal sealed record ModelDetail(RegisteredModel Model, IReadOnlyList<ModelVersion> Versions);

/// <summary>A changed file of a dataset diff.</summary>
internal sealed record ChangedFile(string Path, DatasetFile Before, DatasetFile After);

/// <summary>A dataset diff as JSON can hold it.</summary>
internal sealed record DiffDetail(IReadOnlyList<DatasetFile> Added, IReadOnlyList<DatasetFile> Removed, IReadOnlyList<ChangedFile> Modified);

/// <summary>The CLI's <c>--json</c> output: the SDK's own records, enums and digests as strings, indented.</summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    WriteIndented = true,
    UseStringEnumConverter = true,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    Converters = [typeof(DigestJsonConverter), typeof(RelativePathJsonConverter)])]
[JsonSerializable(typeof(RunSearchPage))]
[JsonSerializable(typeof(Run))]
[JsonSerializable(typeof(IReadOnlyList<RegisteredModel>))]
[JsonSerializable(typeof(ModelDetail))]
[JsonSerializable(typeof(AliasMove))]
[JsonSerializable(typeof(IReadOnlyList<ApprovalRequest>))]
[JsonSerializable(typeof(ApprovalRequest))]
[JsonSerializable(typeof(DatasetVersion))]
[JsonSerializable(typeof(DiffDetail))]
[JsonSerializable(typeof(LineageGraph))]
[JsonSerializable(typeof(AuditVerification))]
[JsonSerializable(typeof(GarbageCollectionReport))]
[JsonSerializable(typeof(MigrationReport))]
[JsonSerializable(typeof(CliError))]
internal sealed partial class CliJson : JsonSerializerContext;

/// <summary>An error under <c>--json</c>: the message and the exit code.</summary>
internal sealed record CliError(string Error, int ExitCode);
