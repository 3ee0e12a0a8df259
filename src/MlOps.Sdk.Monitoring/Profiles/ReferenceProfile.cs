using System.Text.Json;
using System.Text.Json.Serialization;

namespace MlOps.Sdk.Monitoring;

/// <summary>
/// The reference a monitor compares live traffic with: one <see cref="FeatureProfile"/> per feature of the input type
/// (each element of an array property is a feature of its own). Built from training rows, merged across parts, saved
/// as JSON.
/// </summary>
public sealed class ReferenceProfile
{
    /// <summary>Creates a profile from its features and the array lengths that fix the feature layout.</summary>
    public ReferenceProfile(IReadOnlyList<FeatureProfile> features, IReadOnlyDictionary<string, int> vectorLengths)
    {
        ArgumentNullException.ThrowIfNull(features);
        Features = features;
        VectorLengths = vectorLengths ?? new Dictionary<string, int>();
    }

    /// <summary>The features, numeric first, in property order.</summary>
    public IReadOnlyList<FeatureProfile> Features { get; }

    /// <summary>The length of each array property.</summary>
    public IReadOnlyDictionary<string, int> VectorLengths { get; }

    /// <summary>The feature named <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">There is none.</exception>
    public FeatureProfile this[string name] => Features.FirstOrDefault(f => f.Name == name) ?? throw new KeyNotFoundException($"The profile has no feature '{name}'.");

    /// <summary>
    /// Profiles <paramref name="rows"/>: each readable number, string and bool property (and array element), or those
    /// <paramref name="include"/> accepts by name (leave out the label, ids, timestamps). The int and long properties
    /// <paramref name="categorical"/> accepts by name are read as categories (codes, store ids, a star rating): compared
    /// by category frequencies, not as numbers; a monitor built on the profile reads them the same way.
    /// </summary>
    /// <exception cref="MlOpsValidationException">There are no rows, or a property declared categorical is not an integer.</exception>
    public static ReferenceProfile Build<TIn>(IEnumerable<TIn> rows, Func<string, bool>? include = null, Func<string, bool>? categorical = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var list = rows as IReadOnlyList<TIn> ?? rows.ToList();
        if (list.Count == 0)
        {
            throw new MlOpsValidationException("A reference profile needs at least one row.");
        }

        var lengths = FeatureExtractor<TIn>.VectorLengths(list[0]);
        var extractor = new FeatureExtractor<TIn>(lengths, include, categorical);
        var numeric = new double[extractor.NumericNames.Length];
        var categories = new string?[extractor.CategoricalNames.Length];
        var numericValues = extractor.NumericNames.Select(_ => new List<double>(list.Count)).ToArray();
        var counts = extractor.CategoricalNames.Select(_ => new Dictionary<string, long>(StringComparer.Ordinal)).ToArray();
        var missing = new long[numeric.Length + categories.Length];
        var nonFinite = new long[numeric.Length];
        foreach (var row in list)
        {
            extractor.Extract(row, numeric, categories);
            for (var f = 0; f < numeric.Length; f++)
            {
                var x = numeric[f];
                if (double.IsNaN(x))
                {
                    missing[f]++;
                }
                else if (double.IsInfinity(x))
                {
                    nonFinite[f]++;
                }
                else
                {
                    numericValues[f].Add(x);
                }
            }

            for (var f = 0; f < categories.Length; f++)
            {
                if (categories[f] is { } category)
                {
                    counts[f][category] = counts[f].GetValueOrDefault(category) + 1;
                }
                else
                {
                    missing[numeric.Length + f]++;
                }
            }
        }

        var features = new List<FeatureProfile>();
        for (var f = 0; f < numeric.Length; f++)
        {
            var values = numericValues[f].ToArray();
            Array.Sort(values);
            features.Add(new FeatureProfile(extractor.NumericNames[f], FeatureKind.Numeric, missing[f], nonFinite[f], values, new Dictionary<string, long>()));
        }

        for (var f = 0; f < categories.Length; f++)
        {
            features.Add(new FeatureProfile(extractor.CategoricalNames[f], FeatureKind.Categorical, missing[numeric.Length + f], 0, [], counts[f]));
        }

        return new ReferenceProfile(features, lengths);
    }

    /// <summary>
    /// Profiles columns: numeric columns (NaN is missing, ±∞ non-finite) and categorical ones (null is missing). Feature
    /// names are the dictionaries' keys, numeric first; a monitor over rows needs the row type's names.
    /// </summary>
    /// <exception cref="MlOpsValidationException">No column, or columns of different lengths.</exception>
    public static ReferenceProfile FromColumns(IReadOnlyDictionary<string, double[]> numeric, IReadOnlyDictionary<string, string?[]>? categorical = null)
    {
        ArgumentNullException.ThrowIfNull(numeric);
        categorical ??= new Dictionary<string, string?[]>();
        var lengths = numeric.Values.Select(c => c.Length).Concat(categorical.Values.Select(c => c.Length)).Distinct().ToList();
        if (lengths.Count != 1 || lengths[0] == 0)
        {
            throw new MlOpsValidationException("A reference profile needs non-empty columns of one length.");
        }

        var features = new List<FeatureProfile>();
        foreach (var (name, column) in numeric)
        {
            var values = column.Where(double.IsFinite).ToArray();
            Array.Sort(values);
            features.Add(new FeatureProfile(name, FeatureKind.Numeric, column.LongCount(double.IsNaN), column.LongCount(double.IsInfinity), values, new Dictionary<string, long>()));
        }

        foreach (var (name, column) in categorical)
        {
            var counts = column.OfType<string>().GroupBy(c => c, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.LongCount(), StringComparer.Ordinal);
            features.Add(new FeatureProfile(name, FeatureKind.Categorical, column.LongCount(c => c is null), 0, [], counts));
        }

        return new ReferenceProfile(features, new Dictionary<string, int>());
    }

    /// <summary>The profile of both samples together: two halves merge into the profile of the whole.</summary>
    /// <exception cref="MlOpsValidationException">The profiles have other features or array lengths.</exception>
    public ReferenceProfile Merge(ReferenceProfile other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (!Features.Select(f => f.Name).SequenceEqual(other.Features.Select(f => f.Name))
            || !VectorLengths.OrderBy(p => p.Key).SequenceEqual(other.VectorLengths.OrderBy(p => p.Key)))
        {
            throw new MlOpsValidationException("Only profiles of the same features (and array lengths) merge.");
        }

        return new ReferenceProfile(Features.Zip(other.Features, (a, b) => a.Merge(b)).ToList(), VectorLengths);
    }

    /// <summary>Writes the profile as JSON.</summary>
    public async Task SaveAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        var document = new ProfileDocument(
            1,
            VectorLengths.ToDictionary(p => p.Key, p => p.Value),
            Features.Select(f => new FeatureDocument(f.Name, f.Kind, f.Missing, f.NonFinite, f.Values, f.Categories.ToDictionary(c => c.Key, c => c.Value))).ToList());
        await JsonSerializer.SerializeAsync(stream, document, ProfileJson.Default.ProfileDocument, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads a profile written by <see cref="SaveAsync"/>.</summary>
    /// <exception cref="MlOpsValidationException">The stream is not a profile this version reads.</exception>
    public static async Task<ReferenceProfile> LoadAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        ProfileDocument? document;
        try
        {
            document = await JsonSerializer.DeserializeAsync(stream, ProfileJson.Default.ProfileDocument, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            throw new MlOpsValidationException($"Not a reference profile: {e.Message}");
        }

        if (document is not { Format: 1, Features: not null })
        {
            throw new MlOpsValidationException("Not a reference profile of format 1.");
        }

        return new ReferenceProfile(
            document.Features.Select(f => new FeatureProfile(f.Name, f.Kind, f.Missing, f.NonFinite, f.Values ?? [], f.Categories ?? [])).ToList(),
            document.VectorLengths ?? []);
    }
}

internal sealed record ProfileDocument(int Format, Dictionary<string, int>? VectorLengths, List<FeatureDocument>? Features);

internal sealed record FeatureDocument(string Name, FeatureKind Kind, long Missing, long NonFinite, double[]? Values, Dictionary<string, long>? Categories);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true)]
[JsonSerializable(typeof(ProfileDocument))]
internal sealed partial class ProfileJson : JsonSerializerContext;
