namespace MlOps.Sdk;

/// <summary>The base of every error MlOps.Sdk raises on purpose.</summary>
/// <remarks>Catch this type to handle all library errors; catch a subclass to handle one kind.</remarks>
public class MlOpsException : Exception
{
    /// <summary>Creates an error with a message.</summary>
    public MlOpsException(string message) : base(message) { }

    /// <summary>Creates an error with a message and the error that caused it.</summary>
    public MlOpsException(string message, Exception? innerException) : base(message, innerException) { }
}

/// <summary>Input was rejected before anything was changed: a bad key, a value over a limit, a malformed argument.</summary>
public class MlOpsValidationException : MlOpsException
{
    /// <summary>Creates a validation error.</summary>
    public MlOpsValidationException(string message) : base(message) { }
}

/// <summary>The request contradicts what is already stored (a write-once value written differently, a name taken).</summary>
public sealed class MlOpsConflictException : MlOpsException
{
    /// <summary>Creates a conflict error.</summary>
    public MlOpsConflictException(string message) : base(message) { }
}

/// <summary>A named entity (experiment, run, artifact, ...) does not exist.</summary>
public sealed class MlOpsNotFoundException : MlOpsException
{
    /// <summary>Creates a not-found error.</summary>
    public MlOpsNotFoundException(string message) : base(message) { }
}

/// <summary>Stored content does not match its digest: it was corrupted or tampered with after it was written.</summary>
public sealed class ArtifactIntegrityException : MlOpsException
{
    /// <summary>Creates an integrity error for <paramref name="expected"/>.</summary>
    public ArtifactIntegrityException(ContentDigest expected, string message) : base(message) => Expected = expected;

    /// <summary>The digest the content was stored under.</summary>
    public ContentDigest Expected { get; }
}

/// <summary>A path would leave the directory it is confined to, or is not a plain relative path.</summary>
public sealed class UnsafePathException : MlOpsValidationException
{
    /// <summary>Creates an unsafe-path error.</summary>
    public UnsafePathException(string path, string reason)
        : base($"The path '{path}' was rejected: {reason}. Use a relative path of plain segments separated by '/'.")
    {
        Path = path;
    }

    /// <summary>The rejected path, as given.</summary>
    public string Path { get; }
}
