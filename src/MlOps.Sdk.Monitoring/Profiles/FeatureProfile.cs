namespace MlOps.Sdk.Monitoring;

/// <summary>
/// What a reference sample of one feature looked like: counts of values, missing and non-finite values, summary
/// statistics, and the values themselves (sorted numbers, or category counts) so that a window can be tested against
/// it exactly. Two profiles of parts of a sample merge into the profile of the whole.
/// </summary>
public sealed class FeatureProfile
{
    /// <summary>Creates a profile from its parts (what <see cref="ReferenceProfile"/> deserialises).</summary>
    public FeatureProfile(string name, FeatureKind kind, long missing, long nonFinite, double[] values, IReadOnlyDictionary<string, long> categories)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
        Kind = kind;
        Missing = missing;
        NonFinite = nonFinite;
        Values = values ?? [];
        if (!IsSorted(Values))
        {
            Values = [.. Values];
            Array.Sort(Values);
        }

        Categories = categories ?? new Dictionary<string, long>();
        if (Values.Length > 0)
        {
            Min = Values[0];
            Max = Values[^1];
            double mean = 0, m2 = 0;
            for (var i = 0; i < Values.Length; i++)
            {
                var delta = Values[i] - mean;
                mean += delta / (i + 1);
                m2 += delta * (Values[i] - mean);
            }

            (Mean, Variance) = (mean, m2 / Values.Length);
        }
        else
        {
            (Min, Max, Mean, Variance) = (double.NaN, double.NaN, double.NaN, double.NaN);
        }
    }

    /// <summary>The feature's name.</summary>
    public string Name { get; }

    /// <summary>How the feature is compared.</summary>
    public FeatureKind Kind { get; }

    /// <summary>Rows with no value (null, NaN, a missing vector element).</summary>
    public long Missing { get; }

    /// <summary>Numeric rows with an infinite value.</summary>
    public long NonFinite { get; }

    /// <summary>Rows seen, whatever their value.</summary>
    public long Count => Missing + NonFinite + Values.LongLength + Categories.Values.Sum();

    /// <summary>The finite values of a numeric feature, sorted.</summary>
    public double[] Values { get; }

    /// <summary>How often each category occurred (a categorical feature).</summary>
    public IReadOnlyDictionary<string, long> Categories { get; }

    /// <summary>The share of rows with no value.</summary>
    public double MissingRate => Count == 0 ? 0 : (double)Missing / Count;

    /// <summary>The share of rows with an infinite value.</summary>
    public double NonFiniteRate => Count == 0 ? 0 : (double)NonFinite / Count;

    /// <summary>The smallest finite value (NaN without values).</summary>
    public double Min { get; }

    /// <summary>The largest finite value (NaN without values).</summary>
    public double Max { get; }

    /// <summary>The mean of the finite values (NaN without values).</summary>
    public double Mean { get; }

    /// <summary>The population variance of the finite values (NaN without values).</summary>
    public double Variance { get; }

    /// <summary>Evidently's divisor for the normed Wasserstein distance: σ (population), floored at 0.001.</summary>
    internal double Norm => _norm ??= Values.Length == 0 ? double.NaN : Statistics.Distances.NormFor(Values);

    private double? _norm;

    /// <summary>The number of distinct values (numbers or categories).</summary>
    public int DistinctCount => Kind == FeatureKind.Categorical ? Categories.Count : CountDistinct(Values);

    /// <summary>
    /// Edges of <paramref name="bins"/> bins holding equal shares of the reference: the quantiles at 0, 1/bins, ..., 1,
    /// interpolated linearly between order statistics (numpy's default <c>quantile</c> method); repeated edges (ties)
    /// are merged, so a column with few values gets fewer bins.
    /// </summary>
    /// <exception cref="InvalidOperationException">The feature is categorical or has no values.</exception>
    public double[] QuantileEdges(int bins = 10)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        if (Kind != FeatureKind.Numeric || Values.Length == 0)
        {
            throw new InvalidOperationException($"Feature '{Name}' has no numbers to take quantiles of.");
        }

        var edges = new List<double>(bins + 1);
        for (var i = 0; i <= bins; i++)
        {
            var position = (double)i / bins * (Values.Length - 1);
            var low = (int)Math.Floor(position);
            var high = Math.Min(low + 1, Values.Length - 1);
            var edge = Values[low] + ((position - low) * (Values[high] - Values[low]));
            if (edges.Count == 0 || edge > edges[^1])
            {
                edges.Add(edge);
            }
        }

        return [.. edges];
    }

    /// <summary>The profile of both samples together.</summary>
    /// <exception cref="MlOpsValidationException">The profiles are of different features or kinds.</exception>
    public FeatureProfile Merge(FeatureProfile other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Name != Name || other.Kind != Kind)
        {
            throw new MlOpsValidationException($"Cannot merge profile of '{other.Name}' ({other.Kind}) into '{Name}' ({Kind}).");
        }

        var values = new double[Values.Length + other.Values.Length];
        int i = 0, j = 0, k = 0;
        while (i < Values.Length || j < other.Values.Length)
        {
            values[k++] = j >= other.Values.Length || (i < Values.Length && Values[i] <= other.Values[j]) ? Values[i++] : other.Values[j++];
        }

        var categories = new Dictionary<string, long>(Categories, StringComparer.Ordinal);
        foreach (var (category, count) in other.Categories)
        {
            categories[category] = categories.GetValueOrDefault(category) + count;
        }

        return new FeatureProfile(Name, Kind, Missing + other.Missing, NonFinite + other.NonFinite, values, categories);
    }

    private static bool IsSorted(double[] values)
    {
        for (var i = 1; i < values.Length; i++)
        {
            if (!(values[i - 1] <= values[i]))
            {
                return false;
            }
        }

        return true;
    }

    internal static int CountDistinct(ReadOnlySpan<double> sorted)
    {
        var distinct = 0;
        for (var i = 0; i < sorted.Length; i++)
        {
            distinct += i == 0 || sorted[i] != sorted[i - 1] ? 1 : 0;
        }

        return distinct;
    }
}
