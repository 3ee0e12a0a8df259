namespace MlOps.Sdk.Serving.Tests;

/// <summary>Typed rows for <c>OnnxModels.Mlp(10, ...)</c>.</summary>
public sealed class MlpRow
{
    [ModelInput("X")]
    public float[] Features { get; set; } = [];

    public static MlpRow Random(Random random) => new() { Features = [.. Enumerable.Range(0, 10).Select(_ => (float)random.NextDouble())] };
}

/// <summary>The MLP's score.</summary>
public sealed class MlpScore
{
    [ModelOutput("Y")]
    public float Score { get; set; }
}
