namespace MlOps.Sdk.Monitoring;

/// <summary>How drift is decided, per feature and for the dataset.</summary>
public sealed class DriftOptions
{
    /// <summary>Rows per window: the window closes and is tested when it holds this many.</summary>
    /// <value>The default is 1,000.</value>
    public int WindowSize { get; set; } = 1_000;

    /// <summary>
    /// Also close a window when this much time has passed since the last one closed, however few rows it holds (a window
    /// with no row reports every feature as <c>none</c>). Null closes windows by count only.
    /// </summary>
    /// <value>The default is null.</value>
    public TimeSpan? WindowDuration { get; set; }

    /// <summary>The share of predictions captured, 0 to 1.</summary>
    /// <value>The default is 1 (every prediction).</value>
    public double SamplingRate { get; set; } = 1.0;

    /// <summary>
    /// Whether each window keeps its rows (references to the observed inputs) for <see cref="DriftMonitor{TIn}.LastWindowRows"/>,
    /// which a <see cref="RetrainTrigger{TIn}"/> hands to the retrain hook.
    /// </summary>
    /// <value>The default is false: a window holds only the features it tests.</value>
    public bool KeepRows { get; set; }

    /// <summary>The dataset drifts when at least this share of its features drift (Evidently's <c>drift_share</c>).</summary>
    /// <value>The default is 0.5.</value>
    public double DatasetDriftShare { get; set; } = 0.5;

    /// <summary>The significance level of the p-value tests (Kolmogorov-Smirnov, chi-square, Z).</summary>
    /// <value>The default is 0.05.</value>
    public double PValueThreshold { get; set; } = 0.05;

    /// <summary>The threshold of the distance tests (normed Wasserstein, Jensen-Shannon).</summary>
    /// <value>The default is 0.1.</value>
    public double DistanceThreshold { get; set; } = 0.1;

    /// <summary>How the p-value threshold accounts for testing many features at once.</summary>
    /// <value>The default is <see cref="MultipleTestingCorrection.None"/>, as Evidently.</value>
    public MultipleTestingCorrection Correction { get; set; } = MultipleTestingCorrection.None;

    /// <summary>
    /// A p-value test only flags drift when the shift is also at least this large (normed Wasserstein for numbers,
    /// Jensen-Shannon distance for categories), so that huge windows do not flag trivial shifts. 0 turns it off.
    /// </summary>
    /// <value>The default is 0 (off).</value>
    public double EffectSizeFloor { get; set; }

    /// <summary>
    /// The test of every numeric feature without a test of its own (<see cref="FeatureTests"/>); null keeps Evidently's
    /// default selection (Kolmogorov-Smirnov or normed Wasserstein by reference size, chi-square or Z for few values).
    /// </summary>
    /// <value>The default is null.</value>
    public DriftTest? NumericTest { get; set; }

    /// <summary>The test of every categorical feature without a test of its own; null keeps Evidently's default selection.</summary>
    /// <value>The default is null.</value>
    public DriftTest? CategoricalTest { get; set; }

    /// <summary>A test per feature, by the feature's name in the profile (<c>Amount</c>, <c>Features[2]</c>); it wins over the kind's test.</summary>
    public IDictionary<string, DriftTest> FeatureTests { get; } = new Dictionary<string, DriftTest>(StringComparer.Ordinal);

    /// <summary>
    /// These options for another set of features (the model's outputs): windows, thresholds, correction and the tests per
    /// kind, without the tests chosen by feature name and without kept rows.
    /// </summary>
    internal DriftOptions ForOtherFeatures() => new()
    {
        WindowSize = WindowSize, WindowDuration = WindowDuration, SamplingRate = SamplingRate, DatasetDriftShare = DatasetDriftShare,
        PValueThreshold = PValueThreshold, DistanceThreshold = DistanceThreshold, Correction = Correction, EffectSizeFloor = EffectSizeFloor,
        NumericTest = NumericTest, CategoricalTest = CategoricalTest,
    };

    /// <summary>The test chosen for a feature, or null for the default selection.</summary>
    internal DriftTest? TestFor(FeatureProfile feature) =>
        FeatureTests.TryGetValue(feature.Name, out var test) ? test : feature.Kind == FeatureKind.Numeric ? NumericTest : CategoricalTest;

    /// <summary>Checks every chosen test against the kind of the feature it is for.</summary>
    internal void Validate(ReferenceProfile reference)
    {
        Validate();
        foreach (var name in FeatureTests.Keys.Where(name => reference.Features.All(f => f.Name != name)))
        {
            throw new ArgumentException($"DriftOptions.FeatureTests names '{name}', which is not a feature of the profile ({string.Join(", ", reference.Features.Select(f => f.Name))}).", nameof(FeatureTests));
        }

        foreach (var feature in reference.Features)
        {
            if (TestFor(feature) is { } test && !(feature.Kind == FeatureKind.Numeric ? test.ForNumeric : test.ForCategorical))
            {
                throw new ArgumentException($"The drift test '{test.Name}' does not apply to {feature.Kind.ToString().ToLowerInvariant()} feature '{feature.Name}'.", nameof(FeatureTests));
            }
        }
    }

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(WindowSize, 2, nameof(WindowSize));
        if (WindowDuration is { } duration && duration <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(WindowDuration), duration, "A window lasts a positive time.");
        }

        if (SamplingRate is <= 0 or > 1 || double.IsNaN(SamplingRate))
        {
            throw new ArgumentOutOfRangeException(nameof(SamplingRate), SamplingRate, "The sampling rate is a share above 0 and at most 1.");
        }

        if (DatasetDriftShare is <= 0 or > 1 || PValueThreshold is <= 0 or >= 1 || DistanceThreshold <= 0 || EffectSizeFloor < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(DatasetDriftShare), "Shares and thresholds must be positive (and shares at most 1).");
        }

        foreach (var test in FeatureTests.Values.Append(NumericTest).Append(CategoricalTest).OfType<DriftTest>())
        {
            if (test.IsPValue ? test.Threshold is <= 0 or >= 1 : !(test.Threshold > 0))
            {
                throw new ArgumentOutOfRangeException(nameof(FeatureTests), test.Threshold, $"The threshold of '{test.Name}' must be above 0{(test.IsPValue ? " and below 1" : "")}.");
            }
        }

        if (NumericTest is { ForNumeric: false } numeric)
        {
            throw new ArgumentException($"The drift test '{numeric.Name}' does not apply to numeric features.", nameof(NumericTest));
        }

        if (CategoricalTest is { ForCategorical: false } categorical)
        {
            throw new ArgumentException($"The drift test '{categorical.Name}' does not apply to categorical features.", nameof(CategoricalTest));
        }
    }
}

/// <summary>Corrections of the p-value threshold for testing many features.</summary>
public enum MultipleTestingCorrection
{
    /// <summary>Each feature at the threshold.</summary>
    None,

    /// <summary>Bonferroni: each feature at threshold / number of p-value tests.</summary>
    Bonferroni,

    /// <summary>Benjamini-Hochberg: controls the false discovery rate at the threshold.</summary>
    BenjaminiHochberg,
}
