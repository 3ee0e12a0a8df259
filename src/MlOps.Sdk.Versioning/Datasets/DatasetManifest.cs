using System.Globalization;
using System.Text;
using MlOps.Sdk.Tracking.Search;

namespace MlOps.Sdk.Versioning.Datasets;

/// <summary>The canonical form of a manifest, whose SHA-256 is the dataset version's digest.</summary>
/// <remarks>One line per file, sorted by path in code-point order: <c>path TAB length TAB sha256:hex LF</c>, UTF-8.</remarks>
public static class DatasetManifest
{
    /// <summary>Sorts files into canonical order.</summary>
    public static List<DatasetFile> Canonical(IEnumerable<DatasetFile> files) =>
        files.Order(Comparer<DatasetFile>.Create((a, b) => RunOrderComparer.CompareCodePoints(a.Path.Value, b.Path.Value))).ToList();

    /// <summary>The digest of the canonical manifest of <paramref name="files"/>.</summary>
    public static ContentDigest Digest(IReadOnlyList<DatasetFile> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        var text = new StringBuilder();
        foreach (var file in Canonical(files))
        {
            text.Append(file.Path.Value).Append('\t').Append(file.Length.ToString(CultureInfo.InvariantCulture)).Append('\t').Append(file.Digest.ToString()).Append('\n');
        }

        return ContentDigest.Compute(Encoding.UTF8.GetBytes(text.ToString()));
    }
}
