using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace MlOps.Sdk;

/// <summary>The SHA-256 digest that names a piece of content, written <c>sha256:&lt;64 lowercase hex&gt;</c>.</summary>
public readonly struct ContentDigest : IEquatable<ContentDigest>, ISpanParsable<ContentDigest>
{
    private const string Prefix = "sha256:";
    private readonly string? _hex;

    private ContentDigest(string hex) => _hex = hex;

    /// <summary>The 64 lowercase hexadecimal characters of the digest.</summary>
    public string Hex => _hex ?? throw new InvalidOperationException("The digest is default(ContentDigest) and names no content.");

    /// <summary>Creates a digest from the 32 bytes of a SHA-256 hash.</summary>
    public static ContentDigest FromHash(ReadOnlySpan<byte> sha256)
    {
        if (sha256.Length != SHA256.HashSizeInBytes)
        {
            throw new ArgumentException("A SHA-256 hash has 32 bytes.", nameof(sha256));
        }

        return new ContentDigest(Convert.ToHexStringLower(sha256));
    }

    /// <summary>Computes the digest of <paramref name="content"/>.</summary>
    public static ContentDigest Compute(ReadOnlySpan<byte> content) => FromHash(SHA256.HashData(content));

    /// <summary>Reads <paramref name="content"/> to its end and computes its digest.</summary>
    public static async ValueTask<ContentDigest> ComputeAsync(Stream content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        return FromHash(await SHA256.HashDataAsync(content, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Parses <c>sha256:&lt;hex&gt;</c>.</summary>
    /// <exception cref="MlOpsValidationException">The text is not a SHA-256 digest.</exception>
    public static ContentDigest Parse(string s) => Parse(s.AsSpan(), null);

    /// <inheritdoc />
    public static ContentDigest Parse(string s, IFormatProvider? provider) => Parse(s.AsSpan(), provider);

    /// <inheritdoc />
    public static ContentDigest Parse(ReadOnlySpan<char> s, IFormatProvider? provider) =>
        TryParse(s, provider, out var digest)
            ? digest
            : throw new MlOpsValidationException($"'{s}' is not a content digest; expected 'sha256:' followed by 64 lowercase hexadecimal characters.");

    /// <inheritdoc />
    public static bool TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, out ContentDigest result) =>
        TryParse(s.AsSpan(), provider, out result);

    /// <summary>Tries to parse <c>sha256:&lt;hex&gt;</c>.</summary>
    public static bool TryParse([NotNullWhen(true)] string? s, out ContentDigest result) => TryParse(s.AsSpan(), null, out result);

    /// <inheritdoc />
    public static bool TryParse(ReadOnlySpan<char> s, IFormatProvider? provider, out ContentDigest result)
    {
        result = default;
        if (!s.StartsWith(Prefix, StringComparison.Ordinal) || s.Length != Prefix.Length + 64)
        {
            return false;
        }

        var hex = s[Prefix.Length..];
        foreach (var c in hex)
        {
            if (!char.IsAsciiHexDigitLower(c) && !char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        result = new ContentDigest(hex.ToString());
        return true;
    }

    /// <inheritdoc />
    public bool Equals(ContentDigest other) => string.Equals(_hex, other._hex, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is ContentDigest other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => _hex is null ? 0 : StringComparer.Ordinal.GetHashCode(_hex);

    /// <summary>The digest as <c>sha256:&lt;hex&gt;</c>.</summary>
    public override string ToString() => _hex is null ? string.Empty : Prefix + _hex;

    /// <summary>Compares two digests.</summary>
    public static bool operator ==(ContentDigest left, ContentDigest right) => left.Equals(right);

    /// <summary>Compares two digests.</summary>
    public static bool operator !=(ContentDigest left, ContentDigest right) => !left.Equals(right);
}
