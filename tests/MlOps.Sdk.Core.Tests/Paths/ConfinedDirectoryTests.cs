using Xunit;

namespace MlOps.Sdk.Core.Tests.Paths;

public sealed class ConfinedDirectoryTests : IDisposable
{
    private readonly string _base = Path.Combine(Path.GetTempPath(), "mlops-confined-" + Guid.NewGuid().ToString("N"));

    public ConfinedDirectoryTests() => Directory.CreateDirectory(Path.Combine(_base, "root"));

    public void Dispose() => Directory.Delete(_base, recursive: true);

    [Fact]
    public void Contains_PrefixLookAlikeOfRoot_IsFalse()
    {
        var confined = new ConfinedDirectory(Path.Combine(_base, "root"));

        Assert.False(confined.Contains(Path.Combine(_base, "root-evil", "x")));
        Assert.False(confined.Contains(Path.Combine(_base, "rootx")));
        Assert.False(confined.Contains(Path.Combine(_base, "root")));
        Assert.True(confined.Contains(Path.Combine(_base, "root", "x")));
        Assert.Throws<UnsafePathException>(() => confined.Resolve("../root-evil/x"));
        Assert.Throws<UnsafePathException>(() => confined.Resolve(Path.Combine(_base, "root-evil", "x")));
    }

    [Fact]
    public void Resolve_ThroughSymlinkOutOfRoot_IsRejected()
    {
        var outside = Directory.CreateDirectory(Path.Combine(_base, "outside")).FullName;
        Directory.CreateSymbolicLink(Path.Combine(_base, "root", "link"), outside);
        File.CreateSymbolicLink(Path.Combine(_base, "root", "file-link"), Path.Combine(outside, "target"));
        var confined = new ConfinedDirectory(Path.Combine(_base, "root"));

        Assert.Throws<UnsafePathException>(() => confined.Resolve("link/x"));
        Assert.Throws<UnsafePathException>(() => confined.Resolve("file-link"));
        Assert.Empty(Directory.GetFileSystemEntries(outside));
    }

    [Fact]
    public void Resolve_PlainPath_StaysInsideRoot()
    {
        var confined = new ConfinedDirectory(Path.Combine(_base, "root"));

        var resolved = confined.Resolve("a/b/c.txt");

        Assert.Equal(Path.Combine(_base, "root", "a", "b", "c.txt"), resolved);
    }
}
