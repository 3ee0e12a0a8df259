namespace MlOps.Sdk.Tracking.Search;

internal enum FilterTokenKind
{
    End,
    Identifier,
    QuotedIdentifier,
    String,
    Number,
    Operator,
    LeftParen,
    RightParen,
    Comma,
    Dot,
}

internal readonly record struct FilterToken(FilterTokenKind Kind, string Text, int Position);
