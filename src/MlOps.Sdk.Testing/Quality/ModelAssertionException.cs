namespace MlOps.Sdk.Testing.Quality;

/// <summary>
/// A model did not meet the quality its test claims: the message is the table of every check (metric, threshold, value,
/// interval, rows, outcome) and what explains the failures (the confusion matrix, the worst slice, the paired test).
/// Thrown by <see cref="BinaryModelAssertions{TIn}.Verify"/>; any test framework reports it as a failure.
/// </summary>
public sealed class ModelAssertionException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ModelAssertionException()
        : this("A model-quality assertion failed.", [])
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public ModelAssertionException(string message)
        : this(message, [])
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public ModelAssertionException(string message, Exception innerException)
        : base(message, innerException)
    {
        Checks = [];
    }

    /// <summary>Creates the exception from the checks it reports.</summary>
    public ModelAssertionException(string message, IReadOnlyList<QualityCheck> checks)
        : base(message)
    {
        Checks = checks;
    }

    /// <summary>Every check, passed or not.</summary>
    public IReadOnlyList<QualityCheck> Checks { get; }
}
