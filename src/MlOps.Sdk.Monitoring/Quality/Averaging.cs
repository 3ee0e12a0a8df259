namespace MlOps.Sdk.Monitoring.Quality;

/// <summary>How per-class metrics are combined into one, as scikit-learn's <c>average</c> argument.</summary>
public enum Averaging
{
    /// <summary>The unweighted mean over classes.</summary>
    Macro,

    /// <summary>The mean over classes weighted by each class's count among the labels.</summary>
    Weighted,

    /// <summary>One metric over all rows' counts pooled.</summary>
    Micro,
}
