using System.Text.Json.Serialization;
using MlOps.Sdk.Serving;

namespace MlOps.Sdk.AspNetCore.Tests;

/// <summary>Four features in, for <c>OnnxModels.AddConstant(c, 4)</c> (Y = X + c).</summary>
public sealed class Row
{
    [ModelInput("X")]
    public required float[] Features { get; set; }
}

/// <summary>The model's four outputs.</summary>
public sealed class Sums
{
    [ModelOutput("Y")]
    public float[] Values { get; set; } = [];
}

[JsonSerializable(typeof(Row))]
[JsonSerializable(typeof(Sums))]
[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
internal sealed partial class TestJson : JsonSerializerContext;
