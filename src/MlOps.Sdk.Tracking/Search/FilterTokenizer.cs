using System.Globalization;

namespace MlOps.Sdk.Tracking.Search;

internal static class FilterTokenizer
{
    public static List<FilterToken> Tokenize(string text)
    {
        var nul = text.IndexOf('\0', StringComparison.Ordinal);
        if (nul >= 0)
        {
            throw new FilterSyntaxException(text, nul, "the filter contains a NUL character");
        }

        var tokens = new List<FilterToken>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }

            var start = i;
            switch (c)
            {
                case '(':
                    tokens.Add(new(FilterTokenKind.LeftParen, "(", i++));
                    continue;
                case ')':
                    tokens.Add(new(FilterTokenKind.RightParen, ")", i++));
                    continue;
                case ',':
                    tokens.Add(new(FilterTokenKind.Comma, ",", i++));
                    continue;
                case '.' when i + 1 >= text.Length || !char.IsAsciiDigit(text[i + 1]):
                    tokens.Add(new(FilterTokenKind.Dot, ".", i++));
                    continue;
                case '\'':
                    tokens.Add(new(FilterTokenKind.String, ReadQuoted(text, ref i, '\''), start));
                    continue;
                case '"':
                    tokens.Add(new(FilterTokenKind.QuotedIdentifier, ReadQuoted(text, ref i, '"'), start));
                    continue;
                case '`':
                    tokens.Add(new(FilterTokenKind.BacktickIdentifier, ReadQuoted(text, ref i, '`'), start));
                    continue;
                case '=' or '<' or '>' or '!':
                    tokens.Add(new(FilterTokenKind.Operator, ReadOperator(text, ref i), start));
                    continue;
            }

            if (char.IsAsciiDigit(c) || c == '.' || (c is '-' or '+' && i + 1 < text.Length && (char.IsAsciiDigit(text[i + 1]) || text[i + 1] == '.')))
            {
                tokens.Add(new(FilterTokenKind.Number, ReadNumber(text, ref i), start));
                continue;
            }

            if (char.IsAsciiLetter(c) || c == '_')
            {
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] is '_' or '-' or '/' or ':' or '.'))
                {
                    i++;
                }

                tokens.Add(new(FilterTokenKind.Identifier, text[start..i], start));
                continue;
            }

            throw new FilterSyntaxException(text, i, $"unexpected character '{c}'");
        }

        tokens.Add(new(FilterTokenKind.End, string.Empty, text.Length));
        return tokens;
    }

    private static string ReadQuoted(string text, ref int i, char quote)
    {
        var start = i++;
        var value = new System.Text.StringBuilder();
        while (i < text.Length)
        {
            if (text[i] == quote)
            {
                if (i + 1 < text.Length && text[i + 1] == quote)
                {
                    value.Append(quote);
                    i += 2;
                    continue;
                }

                i++;
                return value.ToString();
            }

            value.Append(text[i++]);
        }

        throw new FilterSyntaxException(text, start, $"the quoted text starting here has no closing {quote}");
    }

    private static string ReadOperator(string text, ref int i)
    {
        var start = i;
        var c = text[i++];
        if (i < text.Length && text[i] == '=' && c is '<' or '>' or '!')
        {
            i++;
        }

        var op = text[start..i];
        if (op == "!")
        {
            throw new FilterSyntaxException(text, start, "'!' must be followed by '=' ");
        }

        return op;
    }

    private static string ReadNumber(string text, ref int i)
    {
        var start = i;
        if (text[i] is '-' or '+')
        {
            i++;
        }

        while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.'))
        {
            i++;
        }

        if (i < text.Length && text[i] is 'e' or 'E')
        {
            i++;
            if (i < text.Length && text[i] is '-' or '+')
            {
                i++;
            }

            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }
        }

        var number = text[start..i];
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            throw new FilterSyntaxException(text, start, $"'{number}' is not a finite number");
        }

        return number;
    }
}
