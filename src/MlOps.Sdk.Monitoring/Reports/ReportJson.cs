using System.Text.Json.Serialization;

namespace MlOps.Sdk.Monitoring;

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true,
    WriteIndented = true,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(DriftReport))]
internal sealed partial class ReportJson : JsonSerializerContext;
