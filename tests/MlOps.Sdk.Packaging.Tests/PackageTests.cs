using System.IO.Compression;
using System.Reflection.Metadata;
using System.Text;
using System.Xml.Linq;
using Xunit;

namespace MlOps.Sdk.Packaging.Tests;

[Collection(PackedCollection.Name)]
public sealed class PackageTests(PackedFeed feed)
{
    private static readonly Guid SourceLinkKind = new("CC110556-A091-4D38-9FEC-25AB9A351A6A");
    private static readonly Guid EmbeddedSourceKind = new("0E8A571B-6926-466E-B4AD-8AB04611F5FE");

    [Fact]
    public void Pack_ProducesTheWholeSet_WithOneVersion_AndWhatAGalleryShows()
    {
        var packed = Directory.EnumerateFiles(feed.Feed, "*.nupkg").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(PackedFeed.PackageIds.Select(id => $"{id}.{feed.Version}.nupkg").Order(StringComparer.Ordinal), packed);
        foreach (var id in PackedFeed.PackageIds)
        {
            var metadata = Metadata(feed.Nuspec(id));
            Assert.Equal(feed.Version, Value(metadata, "version"));
            Assert.Equal("README.md", Value(metadata, "readme"));
            Assert.Equal("MIT", Value(metadata, "license"));
            Assert.Equal("https://github.com/mlops-sdk/mlops-sdk", Value(metadata, "projectUrl"));
            Assert.Contains("mlops", Value(metadata, "tags"), StringComparison.Ordinal);
            Assert.True(Value(metadata, "description").Length > 60, $"{id}: the description is a stub.");

            using var package = ZipFile.OpenRead(feed.PackagePath(id));
            var readme = Read(package, "README.md");
            Assert.Contains("```csharp", readme, StringComparison.Ordinal);
            Assert.Contains("https://github.com/mlops-sdk/mlops-sdk", readme, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Symbols_CarrySourceLinkToTheCommit_AndEmbedTheGeneratedSources()
    {
        var commit = Metadata(feed.Nuspec("MlOps.Sdk.Tracking")).Element(Metadata(feed.Nuspec("MlOps.Sdk.Tracking")).Name.Namespace + "repository")!.Attribute("commit")!.Value;
        Assert.Matches("^[0-9a-f]{40}$", commit);

        foreach (var id in PackedFeed.PackageIds.Where(id => id is not "MlOps.Sdk" and not "MlOps.Sdk.Cli"))
        {
            using var symbols = ZipFile.OpenRead(Path.Combine(feed.Feed, $"{id}.{feed.Version}.snupkg"));
            using var pdbStream = new MemoryStream();
            using (var entry = symbols.Entries.Single(e => e.FullName == $"lib/net10.0/{id}.pdb").Open())
            {
                entry.CopyTo(pdbStream);
            }

            pdbStream.Position = 0;
            using var provider = MetadataReaderProvider.FromPortablePdbStream(pdbStream);
            var pdb = provider.GetMetadataReader();
            var sourceLink = pdb.CustomDebugInformation.Select(pdb.GetCustomDebugInformation)
                .Where(c => pdb.GetGuid(c.Kind) == SourceLinkKind)
                .Select(c => Encoding.UTF8.GetString(pdb.GetBlobBytes(c.Value)))
                .Single();
            Assert.Contains($"https://raw.githubusercontent.com/mlops-sdk/mlops-sdk/{commit}/*", sourceLink, StringComparison.Ordinal);

            var documents = pdb.Documents.Select(d => pdb.GetString(pdb.GetDocument(d).Name)).ToList();
            Assert.All(documents, d => Assert.StartsWith("/_/", d, StringComparison.Ordinal));
            var embedded = pdb.CustomDebugInformation.Select(pdb.GetCustomDebugInformation).Count(c => pdb.GetGuid(c.Kind) == EmbeddedSourceKind);
            Assert.True(embedded > 0, $"{id}: no generated source is embedded in the symbols.");
        }
    }

    [Fact]
    public void Monitoring_HasNoDependencyPathToOnnxRuntime_WhileServingAndTheMetaPackageDo()
    {
        var graph = new DependencyGraph(feed);

        Assert.DoesNotContain(graph.Closure("MlOps.Sdk.Monitoring"), IsOnnxRuntime);
        Assert.Contains(graph.Closure("MlOps.Sdk.Serving"), IsOnnxRuntime);
        Assert.Contains(graph.Closure("MlOps.Sdk"), IsOnnxRuntime);
        Assert.Contains("MlOps.Sdk.Serving.Abstractions", graph.Closure("MlOps.Sdk.Monitoring"));
        Assert.Subset(graph.Closure("MlOps.Sdk"), PackedFeed.PackageIds.Where(id => id is not "MlOps.Sdk" and not "MlOps.Sdk.Testing" and not "MlOps.Sdk.Storage.PostgreSql" and not "MlOps.Sdk.Storage.S3" and not "MlOps.Sdk.Storage.AzureBlob" and not "MlOps.Sdk.AspNetCore" and not "MlOps.Sdk.Cli").ToHashSet());
        Assert.DoesNotContain("MlOps.Sdk.Testing", graph.Closure("MlOps.Sdk"));

        // The server stores are chosen, not imposed: the meta-package brings no Npgsql or AWS SDK to an app on the embedded default.
        Assert.DoesNotContain(graph.Closure("MlOps.Sdk"), id => id.StartsWith("Npgsql", StringComparison.Ordinal) || id.StartsWith("AWSSDK", StringComparison.Ordinal) || id.StartsWith("Azure.", StringComparison.Ordinal) || id is "MlOps.Sdk.Storage.PostgreSql" or "MlOps.Sdk.Storage.S3" or "MlOps.Sdk.Storage.AzureBlob" or "MlOps.Sdk.AspNetCore");
        Assert.Contains("AWSSDK.S3", graph.Closure("MlOps.Sdk.Storage.S3"));
        Assert.Contains("Azure.Storage.Blobs", graph.Closure("MlOps.Sdk.Storage.AzureBlob"));
        Assert.Contains("Npgsql", graph.Closure("MlOps.Sdk.Storage.PostgreSql"));

        static bool IsOnnxRuntime(string id) => id.StartsWith("Microsoft.ML.OnnxRuntime", StringComparison.OrdinalIgnoreCase);
    }

    internal static XElement Metadata(XElement nuspec) => nuspec.Element(nuspec.Name.Namespace + "metadata")!;

    private static string Value(XElement metadata, string name) => metadata.Element(metadata.Name.Namespace + name)?.Value ?? "";

    private static string Read(ZipArchive package, string name)
    {
        using var reader = new StreamReader(package.GetEntry(name)!.Open());
        return reader.ReadToEnd();
    }
}
