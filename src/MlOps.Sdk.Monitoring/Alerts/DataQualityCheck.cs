namespace MlOps.Sdk.Monitoring;

/// <summary>What a <see cref="AlertRule.DataQuality"/> rule measures in each window, per feature.</summary>
public enum DataQualityCheck
{
    /// <summary>The share of the window's rows without a value (null, NaN).</summary>
    Missing,

    /// <summary>The share of the window's rows with an infinite value.</summary>
    NonFinite,

    /// <summary>The share of the feature's numbers below the reference's minimum or above its maximum.</summary>
    OutOfRange,

    /// <summary>The share of the feature's values of a category the reference never had.</summary>
    UnseenCategory,
}
