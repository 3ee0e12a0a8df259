namespace MlOps.Sdk.Tracking.Search;

/// <summary>A search filter or ordering could not be parsed, or asks for a comparison its field does not support.</summary>
public sealed class FilterSyntaxException : MlOpsValidationException
{
    /// <summary>Creates the error for a problem at <paramref name="position"/>.</summary>
    public FilterSyntaxException(string text, int position, string problem)
        : base($"Filter error at position {position}: {problem}. Filter: {Shorten(text)}")
    {
        Position = position;
        Problem = problem;
    }

    /// <summary>The zero-based character position the problem was found at.</summary>
    public int Position { get; }

    /// <summary>What was wrong, without the position and filter text.</summary>
    public string Problem { get; }

    private static string Shorten(string text) => text.Length <= 200 ? text : text[..200] + "…";
}
