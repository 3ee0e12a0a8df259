namespace ModelQualityTests;

/// <summary>A card transaction: what the fraud models read, the label, and the country the slices are cut by.</summary>
public sealed record Transaction
{
    public float Amount { get; init; }

    public float Velocity { get; init; }

    public float Night { get; init; }

    public bool Label { get; init; }

    public string Country { get; init; } = "DE";
}

/// <summary>What an ML.NET binary classifier exported to ONNX returns.</summary>
public sealed class FraudScore
{
    public float Probability { get; set; }

    public bool PredictedLabel { get; set; }
}
