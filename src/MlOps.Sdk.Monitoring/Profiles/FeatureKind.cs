namespace MlOps.Sdk.Monitoring;

/// <summary>How a feature is compared.</summary>
public enum FeatureKind
{
    /// <summary>Numbers: compared by distribution (Kolmogorov-Smirnov, Wasserstein, or as categories when few distinct).</summary>
    Numeric,

    /// <summary>Labels, strings and booleans: compared by category frequencies (chi-square, Z, Jensen-Shannon).</summary>
    Categorical,
}
