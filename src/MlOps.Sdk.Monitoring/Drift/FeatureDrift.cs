namespace MlOps.Sdk.Monitoring;

/// <summary>One feature's verdict for one window.</summary>
/// <param name="Feature">The feature.</param>
/// <param name="Kind">How it is compared.</param>
/// <param name="Test">The test used, by Evidently's name (<c>ks</c>, <c>chisquare</c>, <c>z</c>, <c>wasserstein</c>, <c>jensenshannon</c> by default; any of <see cref="DriftTest.All"/> when chosen), or <c>none</c> when the window has no values.</param>
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
    /// <summary>The reference and window distributions side by side, for charts: bin (or category) labels and shares.</summary>
    public DistributionComparison? Distributions { get; init; }

    /// <summary>
    /// The test's statistic: D (Kolmogorov-Smirnov), χ² (chi-square), z, G, U (Mann-Whitney), t, A (Anderson-Darling's
    /// standardized statistic), T (Cramér-von Mises), W (Epps-Singleton), MMD², the odds ratio (Fisher's test), or the
    /// distance itself for distance tests; NaN when the window had no value to test.
    /// </summary>
    public double Statistic { get; init; } = double.NaN;

    /// <summary>The degrees of freedom of a chi-square or G-test (categories − 1); null for every other test.</summary>
    public int? DegreesOfFreedom { get; init; }

    /// <summary>The window's numbers outside the reference's range (below its minimum or above its maximum); 0 for categories.</summary>
    public int OutOfRange { get; init; }

    /// <summary>The window's values whose category the reference never had (rows, where <see cref="UnseenCategories"/> counts categories).</summary>
    public int UnseenValues { get; init; }

    /// <summary>Whether <see cref="Score"/> is a p-value (drift when below the threshold) rather than a distance.</summary>
    public bool IsPValue => DriftTest.All.FirstOrDefault(t => t.Name == Test)?.IsPValue ?? false;
}

/// <summary>A reference and a window distribution over the same bins or categories.</summary>
/// <param name="Edges">The bin edges (numbers), or null for categories.</param>
/// <param name="Categories">The categories, or null for bins.</param>
/// <param name="Reference">The reference's share in each.</param>
/// <param name="Current">The window's share in each.</param>
public sealed record DistributionComparison(IReadOnlyList<double>? Edges, IReadOnlyList<string>? Categories, IReadOnlyList<double> Reference, IReadOnlyList<double> Current)
{
    /// <summary>Each bin's range, or each category.</summary>
    public IReadOnlyList<string> Labels => Categories ?? [.. Enumerable.Range(0, Edges!.Count - 1).Select(i => $"{Format(Edges[i])} – {Format(Edges[i + 1])}")];

    /// <summary>Equal when every edge, category and share is.</summary>
    public bool Equals(DistributionComparison? other) =>
        other is not null && Labels.SequenceEqual(other.Labels) && Reference.SequenceEqual(other.Reference) && Current.SequenceEqual(other.Current);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Reference.Count, Reference.FirstOrDefault());

    private static string Format(double x) => x.ToString("G4", System.Globalization.CultureInfo.InvariantCulture);
}
