using System.Collections;
using System.Reflection;
using MlOps.Sdk.Serving.Mapping;

namespace MlOps.Sdk.Serving.Routing;

/// <summary>
/// Compares two results property by property: floating-point values (and arrays of them) by their largest absolute
/// difference, everything else by equality. Used off the caller's path, for shadow traffic.
/// </summary>
internal sealed class OutputComparer<TOut>
{
    private readonly (Func<TOut, object?> Get, bool Floating)[] _properties;

    public OutputComparer()
    {
        _properties = typeof(TOut).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanRead && p.CanWrite)
            .Select(p => (Accessors.Getter<TOut, object?>(p), IsFloating(p.PropertyType)))
            .ToArray();
    }

    /// <returns>
    /// Whether the results agree, and the largest floating-point difference. When the result has outputs that are not
    /// floating-point (labels, classes), agreement is their equality and scores only count as difference; otherwise it is
    /// every difference within <paramref name="tolerance"/>.
    /// </returns>
    public (bool Agree, double Difference) Compare(TOut served, TOut shadow, double tolerance)
    {
        var equal = true;
        var difference = 0.0;
        foreach (var (get, floating) in _properties)
        {
            var a = get(served);
            var b = get(shadow);
            if (floating)
            {
                difference = Math.Max(difference, Difference(a, b));
            }
            else if (!StructuralComparisons.StructuralEqualityComparer.Equals(a, b))
            {
                equal = false;
            }
        }

        return (_properties.Any(p => !p.Floating) ? equal : difference <= tolerance, difference);
    }

    private static bool IsFloating(Type type) =>
        type == typeof(float) || type == typeof(double) || type == typeof(float[]) || type == typeof(double[]);

    private static double Difference(object? a, object? b) => (a, b) switch
    {
        (float x, float y) => Difference(x, y),
        (double x, double y) => Difference(x, y),
        (float[] x, float[] y) when x.Length == y.Length => x.Zip(y, (p, q) => Difference(p, q)).DefaultIfEmpty().Max(),
        (double[] x, double[] y) when x.Length == y.Length => x.Zip(y, Difference).DefaultIfEmpty().Max(),
        (null, null) => 0,
        _ => double.PositiveInfinity,
    };

    private static double Difference(double x, double y) => x == y || (double.IsNaN(x) && double.IsNaN(y)) ? 0 : Math.Abs(x - y);
}
