using Microsoft.Extensions.DependencyInjection;
using MlOps.Sdk.Artifacts;
using MlOps.Sdk.Tracking;
using Xunit;

namespace MlOps.Sdk.Storage.Sqlite.Tests;

public sealed class ArtifactPathAttackTests : IDisposable
{
    private readonly SqliteTestDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    public static TheoryData<string> HostilePaths => new()
    {
        "../x", "..\\x", "/etc/passwd", "C:\\x", "\\\\host\\x", "%2e%2e%2f", "%252e%252e%252f", "a/../../x",
    };

    [Theory]
    [MemberData(nameof(HostilePaths))]
    public async Task LogArtifactAsync_HostilePath_IsRejectedBeforeAnythingIsStored(string path)
    {
        await using var services = _directory.BuildServices();
        var tracker = services.GetRequiredService<ExperimentTracker>();
        await using var run = await tracker.StartRunAsync("attacks");
        var source = new ReadCountingStream("payload"u8.ToArray());

        await Assert.ThrowsAsync<UnsafePathException>(() => run.LogArtifactAsync(path, source));
        await Assert.ThrowsAsync<UnsafePathException>(() => tracker.OpenArtifactAsync(run.Id, path));

        Assert.Equal(0, source.Reads);
        await foreach (var stored in services.GetRequiredService<ArtifactStore>().ListAsync())
        {
            Assert.Fail($"{stored.Digest} was stored for a rejected path.");
        }

        Assert.Empty((await tracker.GetRunAsync(run.Id))!.Artifacts);
    }

    [Fact]
    public async Task DownloadArtifactsAsync_IntoPrefixLookAlikeOrThroughSymlink_WritesNothingOutside()
    {
        await using var services = _directory.BuildServices();
        var tracker = services.GetRequiredService<ExperimentTracker>();
        await using var run = await tracker.StartRunAsync("attacks");
        await run.LogArtifactAsync("link/model.onnx", new MemoryStream("model"u8.ToArray()));
        var destination = Path.Combine(_directory.Root, "download");
        var lookAlike = Directory.CreateDirectory(Path.Combine(_directory.Root, "download-evil")).FullName;
        Directory.CreateDirectory(destination);
        Directory.CreateSymbolicLink(Path.Combine(destination, "link"), lookAlike);

        await Assert.ThrowsAsync<UnsafePathException>(() => tracker.DownloadArtifactsAsync(run.Id, destination));

        Assert.Empty(Directory.GetFileSystemEntries(lookAlike));
    }

    private sealed class ReadCountingStream(byte[] content) : MemoryStream(content)
    {
        public int Reads { get; private set; }

        public override int Read(byte[] buffer, int offset, int count)
        {
            Reads++;
            return base.Read(buffer, offset, count);
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Reads++;
            return base.ReadAsync(buffer, cancellationToken);
        }
    }
}
