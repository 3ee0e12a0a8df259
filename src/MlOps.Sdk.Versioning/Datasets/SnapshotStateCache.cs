using System.Text.Json;
using System.Text.Json.Serialization;

namespace MlOps.Sdk.Versioning.Datasets;

/// <summary>
/// What each file hashed to the last time it was seen, keyed by absolute path and checked against size, modification
/// time and inode: a file that matches all three is not read again. Kept per machine under the root directory.
/// </summary>
internal sealed class SnapshotStateCache(string path)
{
    private Dictionary<string, FileState> _entries = new(StringComparer.Ordinal);

    public static SnapshotStateCache Load(string path)
    {
        var cache = new SnapshotStateCache(path);
        try
        {
            using var stream = File.OpenRead(path);
            cache._entries = JsonSerializer.Deserialize(stream, VersioningJsonContext.Default.DictionaryStringFileState) ?? cache._entries;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or JsonException)
        {
            // A missing or damaged cache only costs a re-hash.
        }

        return cache;
    }

    public bool TryGet(string file, FileState current, out ContentDigest digest)
    {
        digest = default;
        return _entries.TryGetValue(file, out var known) && known with { Digest = current.Digest } == current && ContentDigest.TryParse(known.Digest, out digest);
    }

    public void Set(string file, FileState state) => _entries[file] = state;

    public void Save()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        using (var stream = File.Create(temp))
        {
            JsonSerializer.Serialize(stream, _entries, VersioningJsonContext.Default.DictionaryStringFileState);
        }

        File.Move(temp, path, overwrite: true);
    }
}

/// <summary>The identity of a file's content as far as the cache can tell without reading it.</summary>
internal sealed record FileState(long Length, long ModifiedTicks, ulong Inode, string Digest);

[JsonSerializable(typeof(Dictionary<string, FileState>))]
[JsonSerializable(typeof(MlOps.Sdk.Versioning.Onnx.ModelSignature))]
[JsonSerializable(typeof(List<VersionSignature>))]
internal sealed partial class VersioningJsonContext : JsonSerializerContext;
