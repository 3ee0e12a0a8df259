using MlOps.Sdk.Serving;

namespace QuickStart;

/// <summary>What the served fraud model answers for a transaction.</summary>
public sealed class FraudPrediction
{
    [ModelOutput("Probability.output")]
    public float Probability { get; set; }

    [ModelOutput("PredictedLabel.output")]
    public bool IsFraud { get; set; }
}
