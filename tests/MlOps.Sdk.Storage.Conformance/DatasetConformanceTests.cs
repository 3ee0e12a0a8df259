using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using MlOps.Sdk.Tracking;
using MlOps.Sdk.Versioning;
using Xunit;

namespace MlOps.Sdk.Storage.Conformance;

/// <summary>The behaviour every <see cref="DatasetStore"/> must have, exercised through <see cref="IDatasetRegistry"/>, and lineage across the layers.</summary>
public abstract class DatasetConformanceTests : ProviderTestBase
{
    /// <summary>The dataset registry under test.</summary>
    protected IDatasetRegistry Datasets => Services.GetRequiredService<IDatasetRegistry>();

    /// <summary>A directory of files to snapshot.</summary>
    protected string Data => Path.Combine(Root, "data");

    /// <summary>Rewrites the stored path of a dataset file, as tampering with the database would.</summary>
    protected abstract Task TamperFilePathAsync(string name, int version, string oldPath, string newPath);

    /// <inheritdoc />
    protected override void ConfigureLayers(IMlOpsBuilder builder) => builder.AddTracking().AddDatasets().AddModelRegistry();

    /// <inheritdoc />
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Directory.CreateDirectory(Path.Combine(Data, "train"));
        await File.WriteAllTextAsync(Path.Combine(Data, "train", "a.csv"), "x,y\n1,2\n");
        await File.WriteAllTextAsync(Path.Combine(Data, "train", "b.csv"), "x,y\n3,4\n");
        await File.WriteAllTextAsync(Path.Combine(Data, "README.md"), "synthetic");
    }

    [Fact]
    public virtual async Task SnapshotAsync_Directory_RecordsEveryFileAndACanonicalDigest()
    {
        var version = await Datasets.SnapshotAsync("transactions", Data);

        Assert.Equal(1, version.Version);
        Assert.Equal(3, version.FileCount);
        Assert.Equal(8 + 8 + 9, version.TotalBytes);
        var files = await Datasets.GetFilesAsync("transactions", 1);
        Assert.Equal(["README.md", "train/a.csv", "train/b.csv"], files.Select(f => f.Path.Value));
        Assert.Equal(ContentDigest.Compute("x,y\n1,2\n"u8), files[1].Digest);
        var manifest = "README.md\t9\t" + ContentDigest.Compute("synthetic"u8) + "\ntrain/a.csv\t8\t" + ContentDigest.Compute("x,y\n1,2\n"u8) + "\ntrain/b.csv\t8\t" + ContentDigest.Compute("x,y\n3,4\n"u8) + "\n";
        Assert.Equal(ContentDigest.Compute(System.Text.Encoding.UTF8.GetBytes(manifest)), version.Digest);
    }

    [Fact]
    public virtual async Task SnapshotWithProgressAsync_ReportsEveryFile_UpToTheTreesFilesAndBytes()
    {
        var reports = new System.Collections.Concurrent.ConcurrentQueue<DatasetSnapshotProgress>();
        var version = await Datasets.SnapshotWithProgressAsync("transactions", Data, new Recorder(reports));

        Assert.Equal(3, reports.Count);
        Assert.All(reports, r => Assert.Equal((3, 25L), (r.FilesTotal, r.BytesTotal)));
        Assert.Equal([1, 2, 3], reports.Select(r => r.FilesDone).Order());
        Assert.Equal(25, reports.Max(r => r.BytesDone));
        Assert.Equal(version, await Datasets.GetLatestVersionAsync("transactions"));
    }

    /// <summary>Keeps every report, on the thread that made it (<see cref="Progress{T}"/> would post them later).</summary>
    private sealed class Recorder(System.Collections.Concurrent.ConcurrentQueue<DatasetSnapshotProgress> reports) : IProgress<DatasetSnapshotProgress>
    {
        public void Report(DatasetSnapshotProgress value) => reports.Enqueue(value);
    }

    [Fact]
    public virtual async Task SnapshotAsync_Unchanged_ReturnsTheLatestVersionWithoutReadingFilesAgain()
    {
        using var hashed = new MetricCollector<long>(Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), "MlOps.Sdk.Versioning", "mlops.versioning.dataset.bytes_hashed");
        var first = await Datasets.SnapshotAsync("transactions", Data);
        Assert.Equal(25, hashed.GetMeasurementSnapshot().EvaluateAsCounter());

        var again = await Datasets.SnapshotAsync("transactions", Data);

        Assert.Equal(first, again);
        Assert.Equal(25, hashed.GetMeasurementSnapshot().EvaluateAsCounter());
        await File.WriteAllTextAsync(Path.Combine(Data, "train", "b.csv"), "x,y\n3,5\n5,6\n");
        var changed = await Datasets.SnapshotAsync("transactions", Data);
        Assert.Equal(2, changed.Version);
        Assert.Equal(25 + 12, hashed.GetMeasurementSnapshot().EvaluateAsCounter());
    }

    [Fact]
    public virtual async Task ListVersionsAsync_Pages_ContinueAfterTheLastVersion()
    {
        for (var i = 0; i < 3; i++)
        {
            await File.WriteAllTextAsync(Path.Combine(Data, "README.md"), "synthetic " + i);
            await Datasets.SnapshotAsync("transactions", Data);
        }

        var first = await Datasets.ListVersionsAsync("transactions", maxResults: 2);
        var last = await Datasets.ListVersionsAsync("transactions", maxResults: 2, first.NextPageToken);

        Assert.Equal([1, 2], first.Versions.Select(v => v.Version));
        Assert.Equal([3], last.Versions.Select(v => v.Version));
        Assert.Null(last.NextPageToken);
        await Assert.ThrowsAsync<MlOpsValidationException>(() => Datasets.ListVersionsAsync("customers", 2, first.NextPageToken));
        await Assert.ThrowsAsync<MlOpsValidationException>(() => Datasets.ListVersionsAsync("transactions", 0));
    }

    [Fact]
    public virtual async Task DiffAsync_ListsAddedRemovedAndModifiedFiles()
    {
        await Datasets.SnapshotAsync("transactions", Data);
        File.Delete(Path.Combine(Data, "README.md"));
        await File.WriteAllTextAsync(Path.Combine(Data, "train", "a.csv"), "x,y\n9,9\n");
        await File.WriteAllTextAsync(Path.Combine(Data, "train", "c.csv"), "x,y\n");
        await Datasets.SnapshotAsync("transactions", Data);

        var diff = await Datasets.DiffAsync("transactions", 1, 2);

        Assert.Equal(["train/c.csv"], diff.Added.Select(f => f.Path.Value));
        Assert.Equal(["README.md"], diff.Removed.Select(f => f.Path.Value));
        Assert.Equal(["train/a.csv"], diff.Modified.Select(m => m.After.Path.Value));
        Assert.True((await Datasets.DiffAsync("transactions", 2, 2)).IsEmpty);
    }

    [Fact]
    public virtual async Task MaterializeAsync_WritesTheVersionVerified()
    {
        await Datasets.SnapshotAsync("transactions", Data);
        await File.WriteAllTextAsync(Path.Combine(Data, "train", "a.csv"), "changed later");
        var target = Path.Combine(Root, "restored");

        await Datasets.MaterializeAsync("transactions", 1, target);

        Assert.Equal("x,y\n1,2\n", await File.ReadAllTextAsync(Path.Combine(target, "train", "a.csv")));
        Assert.Equal("synthetic", await File.ReadAllTextAsync(Path.Combine(target, "README.md")));
        await Assert.ThrowsAsync<MlOpsNotFoundException>(() => Datasets.MaterializeAsync("transactions", 9, target));
    }

    [Fact]
    public virtual async Task SnapshotAsync_HardLinkMode_StoresTheSameVersionAndMaterialisesIt()
    {
        var copied = await Datasets.SnapshotAsync("copied", Data);
        var linkedRegistry = new ServiceCollection();
        linkedRegistry.AddSingleton<TimeProvider>(Time);
        linkedRegistry.AddMlOps(o => o.RootDirectory = Path.Combine(Root, "linked-root")).AddDatasets(o => o.StorageMode = MlOps.Sdk.Artifacts.ArtifactFileMode.HardLink);
        ConfigureProvider(linkedRegistry.AddMlOps());
        await using var linkedServices = linkedRegistry.BuildServiceProvider();
        var linked = linkedServices.GetRequiredService<IDatasetRegistry>();

        var version = await linked.SnapshotAsync("linked", Data);
        await linked.MaterializeAsync("linked", version.Version, Path.Combine(Root, "restored"));

        Assert.Equal(copied.Digest, version.Digest);
        Assert.Equal("x,y\n1,2\n", await File.ReadAllTextAsync(Path.Combine(Root, "restored", "train", "a.csv")));
    }

    [Fact]
    public virtual async Task SnapshotAsync_SingleFile_IsADatasetOfOne()
    {
        var version = await Datasets.SnapshotAsync("readme", Path.Combine(Data, "README.md"));

        Assert.Equal("README.md", Assert.Single(await Datasets.GetFilesAsync("readme", version.Version)).Path.Value);
    }

    [Fact]
    public virtual async Task SnapshotAsync_SymlinkToAFileOutsideTheRoot_IsRefusedAndNothingIsRecorded()
    {
        var outside = Path.Combine(Root, "secret.txt");
        await File.WriteAllTextAsync(outside, "secret");
        File.CreateSymbolicLink(Path.Combine(Data, "train", "link.csv"), outside);

        await Assert.ThrowsAsync<UnsafePathException>(() => Datasets.SnapshotAsync("transactions", Data));

        Assert.Null(await Datasets.GetLatestVersionAsync("transactions"));
    }

    [Fact]
    public virtual async Task SnapshotAsync_SymlinkedDirectory_IsRefused()
    {
        var outside = Directory.CreateDirectory(Path.Combine(Root, "elsewhere")).FullName;
        await File.WriteAllTextAsync(Path.Combine(outside, "x.csv"), "x");
        Directory.CreateSymbolicLink(Path.Combine(Data, "more"), outside);

        await Assert.ThrowsAsync<UnsafePathException>(() => Datasets.SnapshotAsync("transactions", Data));
    }

    [Fact]
    public virtual async Task MaterializeAsync_StoredPathWithDotDot_IsRefusedBeforeAnythingIsWritten()
    {
        await Datasets.SnapshotAsync("transactions", Data);
        await TamperFilePathAsync("transactions", 1, "train/a.csv", "../escaped.csv");
        var target = Path.Combine(Root, "restored");

        await Assert.ThrowsAsync<UnsafePathException>(() => Datasets.MaterializeAsync("transactions", 1, target));

        Assert.False(File.Exists(Path.Combine(Root, "escaped.csv")));
        Assert.False(Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target, "*", SearchOption.AllDirectories).Any());
    }

    [Fact]
    public virtual async Task Lineage_LinksDatasetRunModelAndAlias_InBothDirections()
    {
        var dataset = await Datasets.SnapshotAsync("transactions", Data);
        var tracker = Services.GetRequiredService<ExperimentTracker>();
        var registry = Services.GetRequiredService<ModelRegistry>();
        string runId;
        await using (var run = await tracker.StartRunAsync("fraud", "train-1"))
        {
            runId = run.Id;
            run.LogInput(dataset.AsInput("training"));
            await run.LogArtifactAsync("model.onnx", new MemoryStream(OnnxModels.Identity(OnnxModels.Float, ["n", 4])));
        }

        await using (var unrelated = await tracker.StartRunAsync("fraud", "no-data"))
        {
            await unrelated.LogArtifactAsync("model.onnx", new MemoryStream(OnnxModels.Identity(OnnxModels.Float, ["n", 3])));
        }

        var version = await registry.RegisterModelFromRunAsync("fraud", runId, "model.onnx");
        await registry.SetAliasAsync("fraud", "canary", version.Number);
        var lineage = Services.GetRequiredService<ILineage>();

        var forModel = await lineage.ForModelVersionAsync("fraud", version.Number);
        var forData = await lineage.ForDatasetVersionAsync("transactions", dataset.Version);

        var expected = new[]
        {
            new LineageEdge("dataset:transactions/1", $"run:{runId}", "used by (training)"),
            new LineageEdge($"run:{runId}", "model:fraud/1", "produced"),
            new LineageEdge("model:fraud/1", "alias:fraud@canary", "served as"),
        };
        Assert.Equal(expected.OrderBy(e => e.From), forModel.Edges.OrderBy(e => e.From));
        Assert.Equal(expected.OrderBy(e => e.From), forData.Edges.OrderBy(e => e.From));
        Assert.Contains("dataset transactions/1 --used by (training)--> run train-1", forData.ToString(), StringComparison.Ordinal);
    }
}
