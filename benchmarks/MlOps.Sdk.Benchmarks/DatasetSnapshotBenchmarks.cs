using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using MlOps.Sdk.Artifacts;
using MlOps.Sdk.Versioning;

namespace MlOps.Sdk.Benchmarks;

/// <summary>
/// A snapshot of 1 GiB in 1,000 files against hashing the same files with <see cref="IncrementalHash"/> (SHA-256) over
/// 1 MiB reads (one thread); a first snapshot into an empty store, copying (durable writes) or hard-linking the files;
/// and a second snapshot with nothing changed. The files stay in the page cache between iterations.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class DatasetSnapshotBenchmarks
{
    private const int Files = 1000;
    private const int FileSize = 1 << 20;
    private readonly byte[] _buffer = new byte[FileSize];
    private string _data = null!;
    private string? _root;
    private ServiceProvider? _services;
    private IDatasetRegistry _datasets = null!;

    [GlobalSetup]
    public void CreateFiles()
    {
        _data = Path.Combine(Path.GetTempPath(), "mlops-bench-data-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_data);
        for (var i = 0; i < Files; i++)
        {
            RandomNumberGenerator.Fill(_buffer);
            using var file = new FileStream(Path.Combine(_data, $"part-{i:0000}.bin"), FileMode.CreateNew);
            file.Write(_buffer);
            file.Flush(flushToDisk: true);
        }
    }

    [GlobalCleanup]
    public void DeleteFiles() => Directory.Delete(_data, recursive: true);

    [IterationSetup(Targets = [nameof(FirstSnapshot)])]
    public void EmptyStore() => NewStore(ArtifactFileMode.Copy);

    [IterationSetup(Targets = [nameof(FirstSnapshotHardLinked)])]
    public void EmptyLinkingStore() => NewStore(ArtifactFileMode.HardLink);

    [IterationSetup(Targets = [nameof(UnchangedSnapshot)])]
    public void StoreWithOneSnapshot()
    {
        NewStore(ArtifactFileMode.Copy);
        _datasets.SnapshotAsync("bench", _data).GetAwaiter().GetResult();
    }

    [IterationCleanup]
    public void DeleteStore()
    {
        _services?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _services = null;
        SqliteConnection.ClearAllPools();
        if (_root is not null)
        {
            Directory.Delete(_root, recursive: true);
            _root = null;
        }
    }

    [Benchmark(Baseline = true)]
    public int HashWithIncrementalHash()
    {
        var hashes = 0;
        foreach (var path in Directory.EnumerateFiles(_data))
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            int read;
            while ((read = file.Read(_buffer, 0, _buffer.Length)) > 0)
            {
                hash.AppendData(_buffer, 0, read);
            }

            hashes += hash.GetHashAndReset()[0];
        }

        return hashes;
    }

    [Benchmark]
    public Task<DatasetVersion> FirstSnapshot() => _datasets.SnapshotAsync("bench", _data);

    [Benchmark]
    public Task<DatasetVersion> FirstSnapshotHardLinked() => _datasets.SnapshotAsync("bench", _data);

    [Benchmark]
    public Task<DatasetVersion> UnchangedSnapshot() => _datasets.SnapshotAsync("bench", _data);

    private void NewStore(ArtifactFileMode mode)
    {
        _root = Path.Combine(Path.GetTempPath(), "mlops-bench-store-" + Guid.NewGuid().ToString("N"));
        var services = new ServiceCollection();
        services.AddMlOps(o => o.RootDirectory = _root).AddDatasets(o => o.StorageMode = mode).UseSqlite();
        _services = services.BuildServiceProvider();
        _datasets = _services.GetRequiredService<IDatasetRegistry>();
    }
}
