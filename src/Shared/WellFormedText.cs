namespace MlOps.Sdk;

/// <summary>
/// Refuses text with a lone UTF-16 surrogate before it is written: stores encode text as UTF-8, where such a surrogate
/// cannot be represented, and each would silently turn it into U+FFFD in its own way, so providers would disagree.
/// </summary>
/// <remarks>Linked as source into the layers that write text; not part of any public surface.</remarks>
internal static class WellFormedText
{
    /// <summary>The index of the first lone surrogate, or -1 when the text is well-formed UTF-16.</summary>
    public static int FindLoneSurrogate(ReadOnlySpan<char> text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Throws <see cref="MlOpsValidationException"/> naming <paramref name="what"/> when the text holds a lone surrogate.</summary>
    public static void Require(string? text, string what)
    {
        if (text is not null && FindLoneSurrogate(text) is var at and >= 0)
        {
            throw new MlOpsValidationException($"{what} holds a lone UTF-16 surrogate (U+{(int)text[at]:X4} at index {at}), which no store can keep as written; pass well-formed text.");
        }
    }
}
