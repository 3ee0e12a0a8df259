namespace MlOps.Sdk.Tracking.Search;

/// <summary>The comparison of a filter term.</summary>
public enum ComparisonOperator
{
    /// <summary><c>=</c></summary>
    Equal,

    /// <summary><c>!=</c></summary>
    NotEqual,

    /// <summary><c>&lt;</c></summary>
    Less,

    /// <summary><c>&lt;=</c></summary>
    LessOrEqual,

    /// <summary><c>&gt;</c></summary>
    Greater,

    /// <summary><c>&gt;=</c></summary>
    GreaterOrEqual,

    /// <summary><c>LIKE</c>: <c>%</c> matches any run of characters, <c>_</c> one character; case-sensitive.</summary>
    Like,

    /// <summary><c>ILIKE</c>: as <c>LIKE</c>, ignoring case (invariant culture, character by character).</summary>
    ILike,

    /// <summary><c>IN ('a', 'b')</c></summary>
    In,

    /// <summary><c>NOT IN ('a', 'b')</c></summary>
    NotIn,

    /// <summary><c>IS NULL</c>: the run has no such param or tag.</summary>
    IsNull,

    /// <summary><c>IS NOT NULL</c>: the run has the param or tag, whatever its value.</summary>
    IsNotNull,
}
