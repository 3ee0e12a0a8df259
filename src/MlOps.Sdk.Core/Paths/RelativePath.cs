namespace MlOps.Sdk;

/// <summary>
/// A validated relative path of plain segments separated by <c>/</c>, such as <c>model/model.onnx</c>.
/// </summary>
/// <remarks>
/// Parsing is pure: it touches no file system. It rejects empty, <c>.</c> and <c>..</c> segments, absolute
/// paths, drive letters and UNC names, backslashes, colons, control characters and percent-encoded sequences
/// (which could decode to any of those later). Use <see cref="ConfinedDirectory"/> to turn it into a file path.
/// </remarks>
public readonly struct RelativePath : IEquatable<RelativePath>
{
    /// <summary>The longest path accepted, in characters.</summary>
    public const int MaxLength = 1024;

    private readonly string? _value;

    private RelativePath(string value) => _value = value;

    /// <summary>The path with <c>/</c> separators.</summary>
    public string Value => _value ?? string.Empty;

    /// <summary>The segments of the path.</summary>
    public string[] Segments => Value.Split('/');

    /// <summary>Parses and validates <paramref name="path"/>.</summary>
    /// <exception cref="UnsafePathException">The path is not a plain relative path.</exception>
    public static RelativePath Parse(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var reason = FindProblem(path);
        return reason is null ? new RelativePath(path) : throw new UnsafePathException(path, reason);
    }

    /// <summary>Tries to parse <paramref name="path"/>; returns false for anything <see cref="Parse"/> rejects.</summary>
    public static bool TryParse(string? path, out RelativePath result)
    {
        result = default;
        if (path is null || FindProblem(path) is not null)
        {
            return false;
        }

        result = new RelativePath(path);
        return true;
    }

    /// <summary>Joins two relative paths.</summary>
    public RelativePath Append(RelativePath child) => _value is null ? child : new RelativePath(_value + "/" + child.Value);

    private static string? FindProblem(string path)
    {
        if (path.Length == 0)
        {
            return "it is empty";
        }

        if (path.Length > MaxLength)
        {
            return $"it is longer than {MaxLength} characters";
        }

        if (path[0] == '/')
        {
            return "it is absolute";
        }

        if (path.Length >= 2 && char.IsAsciiLetter(path[0]) && path[1] == ':')
        {
            return "it names a drive";
        }

        for (var i = 0; i < path.Length; i++)
        {
            var c = path[i];
            if (c == '\\')
            {
                return "it contains a backslash";
            }

            if (c == ':')
            {
                return "it contains a colon";
            }

            if (char.IsControl(c))
            {
                return "it contains a control character";
            }

            if (c == '%' && i + 2 < path.Length && char.IsAsciiHexDigit(path[i + 1]) && char.IsAsciiHexDigit(path[i + 2]))
            {
                return "it contains a percent-encoded sequence";
            }
        }

        foreach (var segment in path.Split('/'))
        {
            if (segment.Length == 0)
            {
                return "it has an empty segment";
            }

            if (segment is "." or "..")
            {
                return $"it has a '{segment}' segment";
            }
        }

        return null;
    }

    /// <inheritdoc />
    public bool Equals(RelativePath other) => string.Equals(Value, other.Value, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is RelativePath other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Value);

    /// <inheritdoc />
    public override string ToString() => Value;

    /// <summary>Compares two paths ordinally.</summary>
    public static bool operator ==(RelativePath left, RelativePath right) => left.Equals(right);

    /// <summary>Compares two paths ordinally.</summary>
    public static bool operator !=(RelativePath left, RelativePath right) => !left.Equals(right);
}
