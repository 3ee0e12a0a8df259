namespace MlOps.Sdk.Monitoring;

/// <summary>
/// A drift test chosen for a feature, or for every feature of a kind, instead of Evidently's default selection: the test
/// by Evidently's name, its threshold, and its rule — a p-value test drifts when p &lt; threshold (Cramér-von Mises: p ≤
/// threshold), a distance when it reaches the threshold (energy distance: when it passes it), as Evidently's tests state them.
/// </summary>
public sealed partial record DriftTest
{
    private readonly bool _inclusive;

    private DriftTest(string name, double threshold, bool isPValue, bool numeric, bool categorical, bool? inclusive = null)
    {
        (Name, Threshold, IsPValue, ForNumeric, ForCategorical) = (name, threshold, isPValue, numeric, categorical);
        _inclusive = inclusive ?? !isPValue;
    }

    /// <summary>Evidently's name of the test (<c>ks</c>, <c>mannw</c>, <c>psi</c>, ...), as reports show it.</summary>
    public string Name { get; }

    /// <summary>The significance level (p-value tests) or the distance at which the feature drifts.</summary>
    public double Threshold { get; init; }

    /// <summary>Whether the score is a p-value (drift below the threshold) rather than a distance.</summary>
    public bool IsPValue { get; }

    /// <summary>Whether the test applies to numeric features.</summary>
    public bool ForNumeric { get; }

    /// <summary>Whether the test applies to categorical features (and numeric values read as categories).</summary>
    public bool ForCategorical { get; }

    /// <summary>Whether a score drifts under this test's rule (a score equal to the threshold drifts only where Evidently says so).</summary>
    public bool Drifts(double score) =>
        IsPValue ? (_inclusive ? score <= Threshold : score < Threshold) : (_inclusive ? score >= Threshold : score > Threshold);

    /// <summary>Two-sample Kolmogorov-Smirnov, <c>ks</c> (numeric; p-value, default 0.05).</summary>
    public static DriftTest KolmogorovSmirnov(double threshold = 0.05) => new("ks", threshold, true, true, false);

    /// <summary>Chi-square goodness of fit of the current counts to the reference's, <c>chisquare</c> (p-value, 0.05).</summary>
    public static DriftTest ChiSquare(double threshold = 0.05) => new("chisquare", threshold, true, true, true);

    /// <summary>Two-proportion Z-test of a binary column, <c>z</c> (p-value, 0.05).</summary>
    public static DriftTest Z(double threshold = 0.05) => new("z", threshold, true, true, true);

    /// <summary>Normed Wasserstein distance, <c>wasserstein</c> (numeric; distance, 0.1).</summary>
    public static DriftTest Wasserstein(double threshold = 0.1) => new("wasserstein", threshold, false, true, false);

    /// <summary>Jensen-Shannon distance (base 2) over Evidently's bins, <c>jensenshannon</c> (distance, 0.1).</summary>
    public static DriftTest JensenShannon(double threshold = 0.1) => new("jensenshannon", threshold, false, true, true);

    /// <summary>Population stability index over Evidently's bins, <c>psi</c> (distance, 0.1).</summary>
    public static DriftTest PopulationStabilityIndex(double threshold = 0.1) => new("psi", threshold, false, true, true);

    /// <summary>Kullback-Leibler divergence over Evidently's bins, <c>kl_div</c> (distance, 0.1).</summary>
    public static DriftTest KullbackLeibler(double threshold = 0.1) => new("kl_div", threshold, false, true, true);

    /// <summary>Hellinger distance, <c>hellinger</c> (distance, 0.1).</summary>
    public static DriftTest Hellinger(double threshold = 0.1) => new("hellinger", threshold, false, true, true);

    /// <summary>Mann-Whitney U, reference stochastically less than current, <c>mannw</c> (numeric; p-value, 0.05).</summary>
    public static DriftTest MannWhitney(double threshold = 0.05) => new("mannw", threshold, true, true, false);

    /// <summary>Student's two-sample t-test, <c>t_test</c> (numeric; p-value, 0.05).</summary>
    public static DriftTest TTest(double threshold = 0.05) => new("t_test", threshold, true, true, false);

    /// <summary>k-sample Anderson-Darling on (reference, current), <c>anderson</c> (numeric; p-value, 0.1).</summary>
    public static DriftTest AndersonDarling(double threshold = 0.1) => new("anderson", threshold, true, true, false);

    /// <summary>Two-sample Cramér-von Mises, <c>cramer_von_mises</c> (numeric; p-value, 0.1; drifts when p ≤ threshold).</summary>
    public static DriftTest CramerVonMises(double threshold = 0.1) => new("cramer_von_mises", threshold, true, true, false, inclusive: true);

    /// <summary>Energy distance, <c>ed</c> (numeric; distance, 0.1; drifts when above).</summary>
    public static DriftTest EnergyDistance(double threshold = 0.1) => new("ed", threshold, false, true, false, inclusive: false);

    /// <summary>Epps-Singleton test of the empirical characteristic functions, <c>es</c> (numeric; p-value, 0.05).</summary>
    public static DriftTest EppsSingleton(double threshold = 0.05) => new("es", threshold, true, true, false);

    /// <summary>
    /// Empirical maximum mean discrepancy with a seeded permutation p-value, <c>empirical_mmd</c> (numeric; p-value, 0.1).
    /// Quadratic in cost: a monitor tests at most 1,000 evenly spaced order statistics of each side.
    /// </summary>
    public static DriftTest EmpiricalMmd(double threshold = 0.1) => new("empirical_mmd", threshold, true, true, false);

    /// <summary>G-test of the current counts against the reference's, <c>g_test</c> (categorical; p-value, 0.1).</summary>
    public static DriftTest GTest(double threshold = 0.1) => new("g_test", threshold, true, false, true);

    /// <summary>Fisher's exact test of a binary column, <c>fisher_exact</c> (categorical; p-value, 0.1).</summary>
    public static DriftTest FisherExact(double threshold = 0.1) => new("fisher_exact", threshold, true, false, true);

    /// <summary>
    /// Total variation distance with a permutation p-value, <c>TVD</c> (categorical; p-value, 0.1): 1,000 permutations
    /// drawn as Evidently draws them (see <see cref="Statistics.TotalVariation"/>), each costing one draw per value of
    /// both samples.
    /// </summary>
    public static DriftTest TotalVariation(double threshold = 0.1) => new("TVD", threshold, true, false, true);

    /// <summary>Every test by its Evidently name, at its default threshold.</summary>
    public static IReadOnlyList<DriftTest> All { get; } =
    [
        KolmogorovSmirnov(), ChiSquare(), Z(), Wasserstein(), JensenShannon(), PopulationStabilityIndex(), KullbackLeibler(),
        Hellinger(), MannWhitney(), TTest(), AndersonDarling(), CramerVonMises(), EnergyDistance(), EppsSingleton(),
        EmpiricalMmd(), GTest(), FisherExact(), TotalVariation(),
    ];

    /// <summary>The test of that Evidently name at its default threshold.</summary>
    /// <exception cref="ArgumentException">No test has that name.</exception>
    public static DriftTest Named(string name) =>
        All.FirstOrDefault(t => t.Name == name) ?? throw new ArgumentException($"No drift test is named '{name}'. Known: {string.Join(", ", All.Select(t => t.Name))}.", nameof(name));
}
