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
        if (served is NamedTensors named)
        {
            return CompareNamed(named, (shadow as NamedTensors)!, tolerance);
        }

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

    /// <summary>Named outputs as typed ones: floating-point tensors by their largest difference, the rest by equality.</summary>
    private static (bool Agree, double Difference) CompareNamed(NamedTensors served, NamedTensors shadow, double tolerance)
    {
        var equal = served.Count == shadow.Count;
        var anyExact = false;
        var difference = 0.0;
        foreach (var (name, a) in served)
        {
            if (!shadow.TryGetValue(name, out var b) || a.DataType != b.DataType || !a.Shape.SequenceEqual(b.Shape))
            {
                equal = false;
                continue;
            }

            switch (a.DataType)
            {
                case TensorDataType.Float32:
                    difference = Math.Max(difference, Difference(a.AsSpan<float>().ToArray(), b.AsSpan<float>().ToArray()));
                    break;
                case TensorDataType.Float64:
                    difference = Math.Max(difference, Difference(a.AsSpan<double>().ToArray(), b.AsSpan<double>().ToArray()));
                    break;
                case TensorDataType.Float16:
                    difference = Math.Max(difference, Difference(Array.ConvertAll(a.AsSpan<Half>().ToArray(), h => (float)h), Array.ConvertAll(b.AsSpan<Half>().ToArray(), h => (float)h)));
                    break;
                default:
                    anyExact = true;
                    equal &= Same(a, b);
                    break;
            }
        }

        return (anyExact || !equal ? equal : difference <= tolerance, difference);
    }

    /// <summary>Element-wise equality of two non-floating values of the same type and shape (maps never agree).</summary>
    private static bool Same(TensorValue a, TensorValue b) => a.DataType switch
    {
        TensorDataType.String => a.AsSpan<string>().SequenceEqual(b.AsSpan<string>()),
        TensorDataType.MapSequence => false,
        _ => TensorProtos.Bytes(a).SequenceEqual(TensorProtos.Bytes(b)),
    };

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
