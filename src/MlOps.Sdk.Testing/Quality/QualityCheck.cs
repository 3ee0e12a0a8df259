using MlOps.Sdk.Monitoring.Statistics;

namespace MlOps.Sdk.Testing.Quality;

/// <summary>One check of a model-quality assertion and how it came out.</summary>
/// <param name="Check">What was checked: <c>ROC AUC</c>, <c>recall per country</c>, <c>accuracy vs reference</c>.</param>
/// <param name="Threshold">The claim: <c>≥ 0.9 (95% lower bound)</c>.</param>
/// <param name="Value">The value the claim was held to.</param>
/// <param name="Interval">Its confidence interval, when one was computed.</param>
/// <param name="Count">The rows the value counts.</param>
/// <param name="Passed">Whether the claim holds.</param>
/// <param name="Detail">Why it failed, or what else to know (the worst slice, the paired test).</param>
public sealed record QualityCheck(string Check, string Threshold, double Value, ConfidenceInterval? Interval, long Count, bool Passed, string Detail);
