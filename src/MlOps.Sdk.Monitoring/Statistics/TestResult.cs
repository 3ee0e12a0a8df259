namespace MlOps.Sdk.Monitoring.Statistics;

/// <summary>A test statistic and its p-value.</summary>
/// <param name="Statistic">The statistic.</param>
/// <param name="PValue">The p-value.</param>
public readonly record struct TestResult(double Statistic, double PValue);
