namespace MlOps.Sdk.Monitoring.Statistics;

/// <summary>The alternative hypothesis of a two-sample test, as scipy names them.</summary>
public enum TwoSampleAlternative
{
    /// <summary>The distributions differ (either way).</summary>
    TwoSided,

    /// <summary>The first sample's distribution is stochastically smaller than the second's.</summary>
    Less,

    /// <summary>The first sample's distribution is stochastically greater than the second's.</summary>
    Greater,
}
