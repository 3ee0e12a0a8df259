namespace MlOps.Sdk.Monitoring;

/// <summary>Drift of data held as columns, with no row type: the counterpart of <see cref="ReferenceProfile.FromColumns"/>.</summary>
public static class DriftMonitor
{
    /// <summary>
    /// Tests one window given as columns against <paramref name="reference"/>, as <see cref="DriftMonitor{TIn}.Evaluate"/>
    /// tests rows: a numeric column for each numeric feature of the profile (NaN missing, ±∞ non-finite), a column of
    /// strings for each categorical one (null missing; integer codes as their invariant text), all of one length.
    /// The columns are not changed.
    /// </summary>
    /// <exception cref="MlOpsValidationException">
    /// A feature of the profile has no column of its kind, a column names no feature of that kind, or the columns differ in length.
    /// </exception>
    public static DriftReport EvaluateColumns(ReferenceProfile reference, IReadOnlyDictionary<string, double[]> numeric, IReadOnlyDictionary<string, string?[]>? categorical = null, DriftOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(numeric);
        categorical ??= new Dictionary<string, string?[]>();
        options ??= new DriftOptions();
        options.Validate(reference);
        var numericFeatures = reference.Features.Where(f => f.Kind == FeatureKind.Numeric).Select(f => f.Name).ToList();
        var categoricalFeatures = reference.Features.Where(f => f.Kind == FeatureKind.Categorical).Select(f => f.Name).ToList();
        Require("numeric", numericFeatures, numeric.Keys);
        Require("categorical", categoricalFeatures, categorical.Keys);
        var lengths = numeric.Values.Select(c => c.Length).Concat(categorical.Values.Select(c => c.Length)).Distinct().ToList();
        if (lengths.Count > 1)
        {
            throw new MlOpsValidationException($"The columns differ in length ({string.Join(", ", lengths)}); a window's columns hold one value per row.");
        }

        // The evaluator sorts and compacts its columns in place: it works on copies.
        double[][] numbers = [.. numericFeatures.Select(name => numeric[name].ToArray())];
        string?[][] labels = [.. categoricalFeatures.Select(name => categorical[name].ToArray())];
        return DriftEvaluator.Evaluate(reference, options, numbers, labels, lengths.SingleOrDefault());
    }

    private static void Require(string kind, List<string> features, IEnumerable<string> columns)
    {
        var given = columns.ToHashSet(StringComparer.Ordinal);
        var missing = features.Where(f => !given.Contains(f)).ToList();
        var unknown = given.Where(c => !features.Contains(c)).ToList();
        if (missing.Count > 0 || unknown.Count > 0)
        {
            throw new MlOpsValidationException($"The {kind} columns must be the profile's {kind} features ({string.Join(", ", features)})"
                + (missing.Count > 0 ? $"; missing: {string.Join(", ", missing)}" : "") + (unknown.Count > 0 ? $"; not in the profile: {string.Join(", ", unknown)}" : "") + ".");
        }
    }
}
