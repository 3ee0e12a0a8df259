using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using MlOps.Sdk.Artifacts;
using MlOps.Sdk.Storage.Conformance;
using Xunit;

namespace MlOps.Sdk.Core.Tests.Artifacts;

public sealed class LocalArtifactStoreTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "mlops-local-" + Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task PutAsync_StoresUnderFanOutPath_ReadOnly()
    {
        var store = CreateStore();

        var stored = await store.PutAsync(new MemoryStream("layout"u8.ToArray()));

        var path = Path.Combine(_root, "artifacts", stored.Digest.Hex[..2], stored.Digest.Hex[2..]);
        Assert.True(File.Exists(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(path));
        Assert.Empty(Directory.GetFiles(Path.Combine(_root, "artifacts", ".incoming")));
    }

    [Fact]
    public async Task PutAsync_SourceFailsMidway_LeavesNothingVisibleOrBehind()
    {
        var store = CreateStore();

        await Assert.ThrowsAsync<IOException>(async () => await store.PutAsync(new FailingStream(1024 * 1024)));

        await foreach (var artifact in store.ListAsync())
        {
            Assert.Fail($"A failed put left {artifact.Digest} visible.");
        }

        Assert.Empty(Directory.GetFiles(Path.Combine(_root, "artifacts", ".incoming")));
    }

    [Theory]
    [InlineData(ArtifactFileMode.Copy)]
    [InlineData(ArtifactFileMode.HardLink)]
    public async Task PutFileAsync_ThenEditTheSourceInPlace_CopyKeepsTheContentAndHardLinkIsCaughtOnRead(ArtifactFileMode mode)
    {
        var store = CreateStore();
        var source = Path.Combine(_root, "source.bin");
        Directory.CreateDirectory(_root);
        await File.WriteAllTextAsync(source, "version one");

        var stored = await store.PutFileAsync(source, mode);

        Assert.Equal(ContentDigest.Compute("version one"u8), stored.Digest);
        if (mode == ArtifactFileMode.HardLink)
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(source));
        }

        // Root ignores the read-only mode; an in-place edit of a linked file changes the stored object, and the read says so.
        File.SetUnixFileMode(source, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await using (var edit = new FileStream(source, FileMode.Open, FileAccess.Write))
        {
            edit.Write("VERSION"u8);
        }

        await using var read = await store.OpenReadAsync(stored.Digest);
        if (mode == ArtifactFileMode.Copy)
        {
            Assert.Equal(stored.Digest, await ContentDigest.ComputeAsync(read));
        }
        else
        {
            await Assert.ThrowsAsync<ArtifactIntegrityException>(() => read.CopyToAsync(Stream.Null));
        }
    }

    [Fact]
    [Trait("Category", "Fault")]
    public async Task PutAsync_ProcessKilledDuringPuts_LeavesOnlyWholeVerifiedObjects()
    {
        var artifacts = Path.Combine(_root, "artifacts");
        var acknowledged = new HashSet<string>();
        for (var attempt = 0; attempt < 6; attempt++)
        {
            await using var child = ChildProcess.Start("put-forever", _root);
            Assert.NotNull(await child.ReadLineAsync("PUT ", TimeSpan.FromSeconds(30)));
            await Task.Delay(Random.Shared.Next(10, 400));
            await child.KillAsync();
            while (child.Lines.TryRead(out var line))
            {
                if (line.StartsWith("PUT ", StringComparison.Ordinal))
                {
                    acknowledged.Add(line[4..]);
                }
            }
        }

        var store = CreateStore();
        var visible = new List<StoredArtifact>();
        await foreach (var artifact in store.ListAsync())
        {
            visible.Add(artifact);
        }

        Assert.All(acknowledged, digest => Assert.Contains(visible, v => v.Digest.ToString() == digest));
        foreach (var artifact in visible)
        {
            await using var stream = await store.OpenReadAsync(artifact.Digest);
            Assert.Equal(artifact.Digest, await ContentDigest.ComputeAsync(stream));
            Assert.Equal(4 * 1024 * 1024, artifact.Length);
        }

        Assert.True(visible.Count >= 6);
    }

    private ArtifactStore CreateStore()
    {
        var services = new ServiceCollection();
        services.AddMlOps(o => o.RootDirectory = _root);
        return services.BuildServiceProvider().GetRequiredService<ArtifactStore>();
    }

    private sealed class FailingStream(int failAfter) : Stream
    {
        private int _read;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _read; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_read >= failAfter)
            {
                throw new IOException("The source broke.");
            }

            var n = Math.Min(count, failAfter - _read);
            RandomNumberGenerator.Fill(buffer.AsSpan(offset, n));
            _read += n;
            return n;
        }

        public override void Flush() { }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
