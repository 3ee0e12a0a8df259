namespace MlOps.Sdk;

/// <summary>A directory that relative paths are resolved inside and can never leave.</summary>
/// <remarks>
/// Besides the checks of <see cref="RelativePath"/>, resolving refuses any existing component below the root
/// that is a symbolic link, so a link planted inside the root cannot redirect a write or read outside it.
/// </remarks>
internal sealed class ConfinedDirectory
{
    private readonly string _rootWithSeparator;

    /// <summary>Confines paths to <paramref name="root"/>, made absolute.</summary>
    public ConfinedDirectory(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        Root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        _rootWithSeparator = Root + Path.DirectorySeparatorChar;
    }

    /// <summary>The absolute root directory.</summary>
    public string Root { get; }

    /// <summary>Whether <paramref name="fullPath"/> lies strictly inside the root (a sibling whose name merely starts like the root does not).</summary>
    public bool Contains(string fullPath)
    {
        ArgumentNullException.ThrowIfNull(fullPath);
        return Path.GetFullPath(fullPath).StartsWith(_rootWithSeparator, StringComparison.Ordinal);
    }

    /// <summary>Resolves <paramref name="path"/> to an absolute file path inside the root.</summary>
    /// <exception cref="UnsafePathException">The path leaves the root or passes through a symbolic link.</exception>
    public string Resolve(RelativePath path)
    {
        if (path.Value.Length == 0)
        {
            throw new UnsafePathException(path.Value, "it is empty");
        }

        var full = Path.GetFullPath(Path.Join(Root, path.Value));
        if (!Contains(full))
        {
            throw new UnsafePathException(path.Value, "it resolves outside its root directory");
        }

        var current = Root;
        foreach (var segment in path.Segments)
        {
            current = Path.Join(current, segment);
            var info = new FileInfo(current);
            if (!info.Exists && !Directory.Exists(current))
            {
                break;
            }

            if (info.LinkTarget is not null)
            {
                throw new UnsafePathException(path.Value, "it passes through a symbolic link");
            }
        }

        return full;
    }

    /// <summary>Parses <paramref name="path"/> and resolves it inside the root.</summary>
    public string Resolve(string path) => Resolve(RelativePath.Parse(path));
}
