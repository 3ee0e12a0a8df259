using System.Globalization;
using System.Numerics;

namespace MlOps.Sdk.Monitoring;

/// <summary>
/// The test on two raw samples, with no binning, counting or profile by hand: the verdict a monitor would give a
/// feature with this reference and this window.
/// </summary>
/// <remarks>
/// Missing values (NaN, null) are dropped from both samples and counted (<see cref="FeatureDrift.Missing"/>); infinite
/// numbers are dropped and counted (<see cref="FeatureDrift.NonFinite"/>). Numbers go to numeric tests as numbers and to
/// tests of categories only (<c>g_test</c>, <c>fisher_exact</c>, <c>TVD</c>) as categories; strings go to tests of categories only.
/// A window with no usable value gets no verdict (test <c>none</c>, score NaN); a sample the test cannot take (Fisher's
/// test of three categories, a t-test of one value) gets NaN and is not drifted.
/// </remarks>
public sealed partial record DriftTest
{
    private const string Sample = "sample";

    /// <summary>
    /// The test on two samples of numbers of any type (double, float, int, long, decimal, ...; NaN missing, ±∞
    /// non-finite): numbers for numeric tests, categories (integers by their digits) for tests of categories only.
    /// </summary>
    /// <exception cref="MlOpsValidationException">The reference is empty.</exception>
    public FeatureDrift Run<T>(ReadOnlySpan<T> reference, ReadOnlySpan<T> current)
        where T : struct, INumberBase<T> =>
        Run<T>(Nullable(reference), Nullable(current));

    /// <summary>The test on two samples of nullable numbers, null missing.</summary>
    /// <exception cref="MlOpsValidationException">The reference is empty.</exception>
    public FeatureDrift Run<T>(ReadOnlySpan<T?> reference, ReadOnlySpan<T?> current)
        where T : struct, INumberBase<T> =>
        ForNumeric ? Numbers(Doubles(reference), Doubles(current)) : Labels(Texts(reference), Texts(current));

    /// <summary>The test on two samples of categories (null missing).</summary>
    /// <exception cref="MlOpsValidationException">The reference is empty, or the test takes numbers only.</exception>
    public FeatureDrift Run(ReadOnlySpan<string?> reference, ReadOnlySpan<string?> current)
    {
        if (!ForCategorical)
        {
            throw new MlOpsValidationException($"The drift test '{Name}' takes numbers, not categories.");
        }

        return Labels(reference.ToArray(), current.ToArray());
    }

    private FeatureDrift Numbers(double[] reference, double[] current)
    {
        var profile = ReferenceProfile.FromColumns(new Dictionary<string, double[]> { [Sample] = reference });
        return Evaluate(profile, new Dictionary<string, double[]> { [Sample] = current }, null);
    }

    private FeatureDrift Labels(string?[] reference, string?[] current)
    {
        var profile = ReferenceProfile.FromColumns(new Dictionary<string, double[]>(), new Dictionary<string, string?[]> { [Sample] = reference });
        return Evaluate(profile, new Dictionary<string, double[]>(), new Dictionary<string, string?[]> { [Sample] = current });
    }

    private FeatureDrift Evaluate(ReferenceProfile profile, Dictionary<string, double[]> numeric, Dictionary<string, string?[]>? categorical)
    {
        var options = new DriftOptions();
        options.FeatureTests[Sample] = this;
        return DriftMonitor.EvaluateColumns(profile, numeric, categorical, options).Features[0];
    }

    private static T?[] Nullable<T>(ReadOnlySpan<T> values)
        where T : struct
    {
        var nullable = new T?[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            nullable[i] = values[i];
        }

        return nullable;
    }

    /// <summary>Numbers as doubles: null as NaN.</summary>
    private static double[] Doubles<T>(ReadOnlySpan<T?> values)
        where T : struct, INumberBase<T>
    {
        var doubles = new double[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            doubles[i] = values[i] is { } value ? double.CreateSaturating(value) : double.NaN;
        }

        return doubles;
    }

    /// <summary>Numbers as categories: null and NaN missing, integers by their digits, others by their round-trip text.</summary>
    private static string?[] Texts<T>(ReadOnlySpan<T?> values)
        where T : struct, INumberBase<T>
    {
        var integers = typeof(T).GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IBinaryInteger<>));
        var texts = new string?[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            texts[i] = values[i] switch
            {
                null => null,
                { } v when T.IsNaN(v) => null,
                { } v when integers => v.ToString(null, CultureInfo.InvariantCulture),
                { } v => double.CreateSaturating(v).ToString("R", CultureInfo.InvariantCulture),
            };
        }

        return texts;
    }
}
