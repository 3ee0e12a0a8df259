using System.Linq.Expressions;
using System.Reflection;

namespace MlOps.Sdk.Monitoring;

/// <summary>
/// Reads the features of a <typeparamref name="TIn"/> row into preallocated slots with compiled accessors: numbers
/// (float, double, int, long, their nullable forms, and each element of a float[] or double[]) and categories (string,
/// bool, and int or long properties declared categorical: codes, ids of a small set). No reflection per row, and no
/// allocation but for integer categories outside 0 to 1,023.
/// </summary>
internal sealed class FeatureExtractor<TIn>
{
    private delegate void NumericWriter(TIn row, Span<double> slots);

    private delegate void CategoricalWriter(TIn row, Span<string?> slots);

    private readonly NumericWriter[] _numeric;
    private readonly CategoricalWriter[] _categorical;

    /// <param name="vectorLengths">The length of each array property, by property name (a feature per element).</param>
    /// <param name="include">Which properties are features, by name; all of them when null.</param>
    /// <param name="categorical">Which int or long properties are read as categories, by name; none when null.</param>
    /// <exception cref="MlOpsValidationException">A property declared categorical is not an integer, a string or a bool.</exception>
    public FeatureExtractor(IReadOnlyDictionary<string, int> vectorLengths, Func<string, bool>? include = null, Func<string, bool>? categorical = null)
    {
        var numericNames = new List<string>();
        var categoricalNames = new List<string>();
        var numeric = new List<NumericWriter>();
        var categories = new List<CategoricalWriter>();
        foreach (var property in typeof(TIn).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanRead && (include?.Invoke(p.Name) ?? true)))
        {
            var type = property.PropertyType;
            var scalar = Nullable.GetUnderlyingType(type) ?? type;
            var slot = numericNames.Count;
            var declared = categorical?.Invoke(property.Name) ?? false;
            if (declared && (scalar == typeof(int) || scalar == typeof(long)))
            {
                var index = categoricalNames.Count;
                categoricalNames.Add(property.Name);
                var get = Getter<long?>(property);
                categories.Add((TIn row, Span<string?> slots) => slots[index] = get(row) is { } code ? Code(code) : null);
            }
            else if (declared && type != typeof(string) && scalar != typeof(bool))
            {
                throw new MlOpsValidationException($"Only integer properties can be declared categorical; '{property.Name}' is {type.Name}.");
            }
            else if (type == typeof(float[]) || type == typeof(double[]))
            {
                var length = vectorLengths.TryGetValue(property.Name, out var l) ? l : 0;
                numericNames.AddRange(Enumerable.Range(0, length).Select(i => $"{property.Name}[{i}]"));
                numeric.Add(type == typeof(float[]) ? Vector(Getter<float[]?>(property), slot, length) : Vector(Getter<double[]?>(property), slot, length));
            }
            else if (scalar == typeof(float) || scalar == typeof(double) || scalar == typeof(int) || scalar == typeof(long))
            {
                numericNames.Add(property.Name);
                var get = Getter<double?>(property);
                numeric.Add((TIn row, Span<double> slots) => slots[slot] = get(row) ?? double.NaN);
            }
            else if (type == typeof(string) || scalar == typeof(bool))
            {
                var index = categoricalNames.Count;
                categoricalNames.Add(property.Name);
                if (type == typeof(string))
                {
                    var get = Getter<string?>(property);
                    categories.Add((TIn row, Span<string?> slots) => slots[index] = get(row));
                }
                else
                {
                    var get = Getter<bool?>(property);
                    categories.Add((TIn row, Span<string?> slots) => slots[index] = get(row) switch { true => bool.TrueString, false => bool.FalseString, null => null });
                }
            }
        }

        NumericNames = [.. numericNames];
        CategoricalNames = [.. categoricalNames];
        _numeric = [.. numeric];
        _categorical = [.. categories];
    }

    private static readonly string[] SmallCodes = [.. Enumerable.Range(0, 1_024).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    /// <summary>An integer category as its invariant text (the same text a profile built from columns of strings holds).</summary>
    private static string Code(long code) => code is >= 0 and < 1_024 ? SmallCodes[code] : code.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public string[] NumericNames { get; }

    public string[] CategoricalNames { get; }

    /// <summary>The array properties of a row and their lengths: the layout a reference sample fixes.</summary>
    public static Dictionary<string, int> VectorLengths(TIn row)
    {
        var lengths = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var property in typeof(TIn).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanRead))
        {
            if (property.GetValue(row) is Array array && (property.PropertyType == typeof(float[]) || property.PropertyType == typeof(double[])))
            {
                lengths[property.Name] = array.Length;
            }
        }

        return lengths;
    }

    public void Extract(TIn row, Span<double> numeric, Span<string?> categorical)
    {
        foreach (var write in _numeric)
        {
            write(row, numeric);
        }

        foreach (var write in _categorical)
        {
            write(row, categorical);
        }
    }

    private static NumericWriter Vector<T>(Func<TIn, T[]?> get, int slot, int length)
        where T : struct, IConvertible => (row, slots) =>
        {
            var values = get(row);
            for (var i = 0; i < length; i++)
            {
                slots[slot + i] = values is not null && i < values.Length ? Convert(values[i]) : double.NaN;
            }
        };

    private static double Convert<T>(T value)
        where T : struct => value is float f ? f : value is double d ? d : double.NaN;

    /// <summary>A compiled accessor of <paramref name="property"/>, its value converted to <typeparamref name="TValue"/>.</summary>
    internal static Func<TIn, TValue> Getter<TValue>(PropertyInfo property)
    {
        var row = Expression.Parameter(typeof(TIn));
        return Expression.Lambda<Func<TIn, TValue>>(Expression.Convert(Expression.Property(row, property), typeof(TValue)), row).Compile();
    }
}
