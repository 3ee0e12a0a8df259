namespace MlOps.Sdk.Cli;

/// <summary>What the process exit code says, for scripts.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>Anything else: a store that cannot be reached, a failure inside the SDK.</summary>
    public const int Failure = 1;

    /// <summary>The command line, a filter, a name or a number is not valid.</summary>
    public const int InvalidInput = 2;

    /// <summary>The store, run, model, version, alias or request does not exist.</summary>
    public const int NotFound = 3;

    /// <summary>A registry policy refused: an approval is missing, one's own approval, an unsigned model.</summary>
    public const int Refused = 4;

    /// <summary>The change conflicts with another: a request already decided.</summary>
    public const int Conflict = 5;

    /// <summary>A check found damage: the audit chain is broken, stored content does not match its digest.</summary>
    public const int Damaged = 6;
}

/// <summary>An error the CLI reports as one line, with the exit code it ends with.</summary>
internal sealed class CliException(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
