namespace MlOps.Sdk.Tracking.Search;

internal enum FilterTokenKind
{
    End,
    Identifier,
    /// <summary>Text in double quotes: a key, or a string value as in MLflow.</summary>
    QuotedIdentifier,

    /// <summary>Text in backticks: a key only (MLflow refuses it as a value).</summary>
    BacktickIdentifier,
    String,
    Number,
    Operator,
    LeftParen,
    RightParen,
    Comma,
    Dot,
}

internal readonly record struct FilterToken(FilterTokenKind Kind, string Text, int Position);
