namespace MlOps.Sdk.Tracking.Search;

/// <summary>The right-hand side of a comparison: a number, a string, or a list of strings.</summary>
public sealed record FilterLiteral
{
    private FilterLiteral(double? number, string? text, IReadOnlyList<string>? list)
    {
        Number = number;
        Text = text;
        List = list;
    }

    /// <summary>The number, for numeric comparisons.</summary>
    public double? Number { get; }

    /// <summary>The string, for string comparisons and patterns.</summary>
    public string? Text { get; }

    /// <summary>The strings of an <c>IN</c> list.</summary>
    public IReadOnlyList<string>? List { get; }

    /// <summary>The absent right-hand side of <c>IS NULL</c> and <c>IS NOT NULL</c>.</summary>
    public static FilterLiteral None { get; } = new(null, null, null);

    /// <summary>Creates a numeric literal.</summary>
    public static FilterLiteral FromNumber(double value) => new(value, null, null);

    /// <summary>Creates a string literal.</summary>
    public static FilterLiteral FromText(string value) => new(null, value, null);

    /// <summary>Creates a list literal.</summary>
    public static FilterLiteral FromList(IReadOnlyList<string> values) => new(null, null, values);
}
