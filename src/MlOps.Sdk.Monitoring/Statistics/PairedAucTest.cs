namespace MlOps.Sdk.Monitoring.Statistics;

/// <summary>The paired DeLong test of two AUCs on the same rows.</summary>
/// <param name="First">The first model's AUC.</param>
/// <param name="Second">The second model's AUC.</param>
/// <param name="StandardError">The standard error of the difference.</param>
/// <param name="Z">The difference over its standard error.</param>
/// <param name="PValue">The two-sided p-value.</param>
public readonly record struct PairedAucTest(double First, double Second, double StandardError, double Z, double PValue)
{
    /// <summary>The difference <see cref="First"/> − <see cref="Second"/>.</summary>
    public double Difference => First - Second;

    /// <summary>The normal interval of the difference at <paramref name="level"/>.</summary>
    public ConfidenceInterval DifferenceInterval(double level = 0.95) => ConfidenceInterval.Normal(Difference, StandardError, level);
}
