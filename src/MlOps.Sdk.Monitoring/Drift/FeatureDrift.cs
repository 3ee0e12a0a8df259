namespace MlOps.Sdk.Monitoring;

/// <summary>One feature's verdict for one window.</summary>
/// <param name="Feature">The feature.</param>
/// <param name="Kind">How it is compared.</param>
/// <param name="Test">The test used: <c>ks</c>, <c>chisquare</c>, <c>z</c>, <c>wasserstein</c>, <c>jensenshannon</c>, or <c>none</c> when the window has no values.</param>
/// <param name="Score">The p-value (p-value tests) or the distance (distance tests); NaN for <c>none</c>.</param>
/// <param name="Threshold">The threshold the score was held to (after any correction).</param>
/// <param name="Drifted">The verdict.</param>
/// <param name="Values">The window's usable values.</param>
/// <param name="Missing">The window's rows without a value.</param>
/// <param name="NonFinite">The window's infinite values.</param>
/// <param name="UnseenCategories">Categories of the window the reference never had.</param>
public sealed record FeatureDrift(
    string Feature,
    FeatureKind Kind,
    string Test,
    double Score,
    double Threshold,
    bool Drifted,
    int Values,
    int Missing,
    int NonFinite,
    int UnseenCategories)
{
    /// <summary>Whether <see cref="Score"/> is a p-value (drift when below the threshold) rather than a distance.</summary>
    public bool IsPValue => Test is "ks" or "chisquare" or "z";
}
