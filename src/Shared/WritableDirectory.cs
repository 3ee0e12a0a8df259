namespace MlOps.Sdk;

/// <summary>Checks, before a store uses it, that a directory can be created and written, so that a bad path fails with its name.</summary>
/// <remarks>Linked as source into the assemblies that keep files; not part of any public surface.</remarks>
internal static class WritableDirectory
{
    /// <summary>Creates <paramref name="path"/> if needed and creates (and deletes) a file in it.</summary>
    /// <returns>Null when it can be written; otherwise why not.</returns>
    public static string? Check(string path)
    {
        try
        {
            Directory.CreateDirectory(path);
            var probe = Path.Combine(path, $".write-check-{Guid.NewGuid():N}");
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
            {
            }

            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            return $"{e.GetType().Name}: {e.Message}";
        }
    }

    /// <summary>Throws <see cref="MlOpsException"/> naming the directory and the reason when it cannot be written.</summary>
    public static void Ensure(string path, string purpose)
    {
        if (Check(path) is { } reason)
        {
            throw new MlOpsException(Describe(path, purpose, reason));
        }
    }

    public static string Describe(string path, string purpose, string reason) =>
        $"The {purpose} directory '{Path.GetFullPath(path)}' cannot be written ({reason}). Point MlOpsOptions.RootDirectory (or the store's own path option) to a directory this process can create and write.";
}
