using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using MlOps.Sdk.Artifacts;
using MlOps.Sdk.Storage.Conformance;
using MlOps.Sdk.Versioning;
using Xunit;

namespace MlOps.Sdk.Storage.Sqlite.Tests;

[Trait("Category", "Fault")]
public sealed class VersioningProcessTests : IDisposable
{
    private readonly SqliteTestDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task EightProcesses_RegisteringOneModel_GetNumbersOneToNWithoutDuplicates()
    {
        const int perProcess = 12;
        var children = Enumerable.Range(0, 8).Select(_ => ChildProcess.Start("register", _directory.Root, "fraud", perProcess.ToString(CultureInfo.InvariantCulture))).ToList();
        var reported = new List<int>();
        try
        {
            foreach (var child in children)
            {
                Assert.Equal(0, await child.WaitForExitAsync(TimeSpan.FromMinutes(3)));
                while (child.Lines.TryRead(out var line))
                {
                    if (line.StartsWith("VERSION ", StringComparison.Ordinal))
                    {
                        reported.Add(int.Parse(line[8..], CultureInfo.InvariantCulture));
                    }
                }
            }
        }
        finally
        {
            foreach (var child in children)
            {
                await child.DisposeAsync();
            }
        }

        Assert.Equal(Enumerable.Range(1, 8 * perProcess), reported.Order());
        await using var services = _directory.BuildServices(registry: true);
        var versions = (await services.GetRequiredService<ModelRegistry>().ListVersionsAsync("fraud", maxResults: 1_000)).Versions;
        Assert.Equal(Enumerable.Range(1, 8 * perProcess), versions.Select(v => v.Number));
        Assert.All(versions, v => Assert.Equal(ModelVersionStatus.Ready, v.Status));
        Assert.True((await services.GetRequiredService<ModelRegistry>().VerifyAuditLogAsync()).IsIntact);
        Assert.Equal("ok", _directory.IntegrityCheck());
    }

    [Fact]
    public async Task KillDashNine_DuringDatasetSnapshots_LeavesOnlyWholeVersions()
    {
        var data = Directory.CreateDirectory(Path.Combine(_directory.Root, "data")).FullName;
        var random = new Random(5);
        for (var i = 0; i < 120; i++)
        {
            var bytes = new byte[256 * 1024];
            random.NextBytes(bytes);
            await File.WriteAllBytesAsync(Path.Combine(data, $"part-{i:000}.bin"), bytes);
        }

        var acknowledged = 0;
        for (var kill = 0; kill < 5; kill++)
        {
            await using var child = ChildProcess.Start("snapshot-forever", _directory.Root, data);
            Assert.NotNull(await child.ReadLineAsync("SNAPSHOT ", TimeSpan.FromMinutes(2)));
            await Task.Delay(Random.Shared.Next(20, 400));
            await child.KillAsync();
            while (child.Lines.TryRead(out var line))
            {
                if (line.StartsWith("SNAPSHOT ", StringComparison.Ordinal))
                {
                    acknowledged = Math.Max(acknowledged, int.Parse(line[9..], CultureInfo.InvariantCulture));
                }
            }

            Assert.Equal("ok", _directory.IntegrityCheck());
        }

        await using var services = _directory.BuildServices(registry: true);
        var datasets = services.GetRequiredService<IDatasetRegistry>();
        var artifacts = services.GetRequiredService<ArtifactStore>();
        var versions = (await datasets.ListVersionsAsync("big", maxResults: 1_000)).Versions;
        Assert.True(versions.Count >= acknowledged, $"{acknowledged} snapshots were acknowledged, {versions.Count} are visible.");
        Assert.Equal(Enumerable.Range(1, versions.Count), versions.Select(v => v.Version));
        foreach (var version in versions)
        {
            var files = await datasets.GetFilesAsync("big", version.Version);
            Assert.Equal(121, files.Count);
            Assert.Equal(version.FileCount, files.Count);
            Assert.Equal(version.Digest, MlOps.Sdk.Versioning.Datasets.DatasetManifest.Digest(files));
            foreach (var file in files)
            {
                await using var content = await artifacts.OpenReadAsync(file.Digest);
                Assert.Equal(file.Digest, await ContentDigest.ComputeAsync(content));
            }
        }
    }
}
