using System.Globalization;

namespace MlOps.Sdk.Tracking.Search;

/// <summary>How a param's text is read as a number for numeric comparisons (<c>params.l2 &gt; 0.05</c>).</summary>
internal static class ParamNumber
{
    /// <summary>Reads <paramref name="value"/> as a finite number in the invariant culture; false for anything else.</summary>
    public static bool TryParse(string value, out double number) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out number) && double.IsFinite(number);
}
