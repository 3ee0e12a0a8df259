using System.Text.Json.Serialization;

namespace MlOps.Sdk.Monitoring;

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true,
    WriteIndented = true,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(DriftReport))]
[JsonSerializable(typeof(DriftHistory.SavedHistory))]
[JsonSerializable(typeof(PerformanceReference))]
internal sealed partial class ReportJson : JsonSerializerContext;
