using System.Globalization;
using System.Text.RegularExpressions;

namespace MlOps.Sdk.Versioning;

/// <summary>A reference to a model version: <c>fraud@production</c> (an alias) or <c>fraud/3</c> (a number).</summary>
public sealed partial record ModelReference(string ModelName, string? Alias, int? Version)
{
    /// <summary>Parses <c>name@alias</c> or <c>name/number</c>.</summary>
    /// <exception cref="MlOpsValidationException">The text is neither.</exception>
    public static ModelReference Parse(string reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var at = reference.LastIndexOf('@');
        if (at > 0)
        {
            var alias = reference[(at + 1)..];
            ValidateAlias(alias);
            return new ModelReference(reference[..at], alias, null);
        }

        var slash = reference.LastIndexOf('/');
        if (slash > 0 && int.TryParse(reference.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 0)
        {
            return new ModelReference(reference[..slash], null, number);
        }

        throw new MlOpsValidationException($"'{reference}' is not a model reference; write 'name@alias' (fraud@production) or 'name/number' (fraud/3).");
    }

    /// <summary>Checks an alias name: 1 to 64 of lower-case letters, digits, '-' and '_', starting with a letter.</summary>
    /// <exception cref="MlOpsValidationException">The alias is not valid.</exception>
    public static void ValidateAlias(string alias)
    {
        ArgumentNullException.ThrowIfNull(alias);
        if (!AliasPattern().IsMatch(alias) || alias == "latest")
        {
            throw new MlOpsValidationException($"'{alias}' is not a valid alias: use 1 to 64 lower-case letters, digits, '-' or '_', starting with a letter ('latest' is reserved).");
        }
    }

    /// <inheritdoc />
    public override string ToString() => Alias is null ? $"{ModelName}/{Version}" : $"{ModelName}@{Alias}";

    [GeneratedRegex("^[a-z][a-z0-9_-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex AliasPattern();
}
