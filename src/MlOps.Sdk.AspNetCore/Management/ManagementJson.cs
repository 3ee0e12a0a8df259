using System.Text.Json;
using System.Text.Json.Serialization;
using MlOps.Sdk.Tracking;
using MlOps.Sdk.Versioning;
using MlOps.Sdk.Versioning.Onnx;

namespace MlOps.Sdk.AspNetCore.Management;

/// <summary>Bodies the management API reads.</summary>
/// <param name="Version">The version the alias is to point to (or the approval is asked for).</param>
/// <param name="Reason">Why, for the audit log.</param>
public sealed record AliasChange(int Version, string? Reason = null);

/// <summary>A decision on an approval request, or a host action's reason.</summary>
/// <param name="Comment">The approver's or operator's words, for the audit log.</param>
public sealed record ActionComment(string? Comment = null);

/// <summary>A model host pinned to a version.</summary>
/// <param name="Version">The version to serve.</param>
/// <param name="Reason">Why, for the audit log.</param>
public sealed record HostPin(int Version, string? Reason = null);

/// <summary>What a model host serves after an action.</summary>
/// <param name="Name">The host's name.</param>
/// <param name="Version">The version it serves, or null when none.</param>
/// <param name="Changed">Whether the action changed what it serves.</param>
public sealed record HostState(string Name, int? Version, bool Changed);

/// <summary>The signed-in caller and what the policies let them do.</summary>
/// <param name="Name">The caller's name, as the audit log records it.</param>
/// <param name="Capabilities">Of <c>predict</c>, <c>read</c>, <c>promote</c> and <c>approve</c>, those the caller has.</param>
public sealed record Caller(string Name, IReadOnlyList<string> Capabilities);

/// <summary>A metric's history, downsampled to buckets when it has more points than were asked for.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Key">The metric.</param>
/// <param name="Buckets">Consecutive steps in order: each bucket's step range, count, min, max and last point.</param>
public sealed record MetricHistory(string RunId, string Key, IReadOnlyList<MetricBucket> Buckets);

/// <summary>
/// JSON of the management API: source-generated, enums, digests and paths as strings, and a metric's NaN or infinity as
/// <c>"NaN"</c>, <c>"Infinity"</c> or <c>"-Infinity"</c>.
/// </summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    UseStringEnumConverter = true,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    Converters = [typeof(DigestJsonConverter), typeof(RelativePathJsonConverter)])]
[JsonSerializable(typeof(AliasChange))]
[JsonSerializable(typeof(ActionComment))]
[JsonSerializable(typeof(HostPin))]
[JsonSerializable(typeof(HostState))]
[JsonSerializable(typeof(MetricHistory))]
[JsonSerializable(typeof(Caller))]
[JsonSerializable(typeof(IReadOnlyList<ProductionSummary>))]
[JsonSerializable(typeof(ProductionView))]
[JsonSerializable(typeof(IReadOnlyList<Experiment>))]
[JsonSerializable(typeof(RunSearchPage))]
[JsonSerializable(typeof(Run))]
[JsonSerializable(typeof(IReadOnlyList<RegisteredModel>))]
[JsonSerializable(typeof(RegisteredModel))]
[JsonSerializable(typeof(ModelVersionPage))]
[JsonSerializable(typeof(ModelVersion))]
[JsonSerializable(typeof(SignatureComparison))]
[JsonSerializable(typeof(IReadOnlyList<AliasMove>))]
[JsonSerializable(typeof(AliasMove))]
[JsonSerializable(typeof(IReadOnlyList<ApprovalRequest>))]
[JsonSerializable(typeof(ApprovalRequest))]
[JsonSerializable(typeof(IReadOnlyList<ModelDeployment>))]
[JsonSerializable(typeof(DatasetVersionPage))]
[JsonSerializable(typeof(DatasetVersion))]
[JsonSerializable(typeof(LineageGraph))]
[JsonSerializable(typeof(Versioning.Audit.AuditVerification))]
internal sealed partial class ManagementJson : JsonSerializerContext;
