using System.Globalization;
using System.Text;
using MlOps.Sdk.Monitoring.Statistics;

namespace MlOps.Sdk.Testing.Quality;

/// <summary>
/// Claims about a binary classifier, collected and checked together by <see cref="Verify"/>. A claim with a
/// <c>confidence</c> is held to the lower (or, for log loss, upper) bound of the metric's interval at that level, so a
/// holdout too small to support it fails, and the message says so.
/// </summary>
public sealed class BinaryModelAssertions<TIn>
{
    private readonly BinaryEvaluation<TIn> _evaluation;
    private readonly List<QualityCheck> _checks = [];
    private readonly List<string> _sections = [];

    internal BinaryModelAssertions(BinaryEvaluation<TIn> evaluation) => _evaluation = evaluation;

    /// <summary>The checks so far.</summary>
    public IReadOnlyList<QualityCheck> Checks => _checks;

    /// <summary>Claims <paramref name="metric"/> ≥ <paramref name="threshold"/>: on the value, or with <paramref name="confidence"/> on the interval's lower bound.</summary>
    public BinaryModelAssertions<TIn> AtLeast(Metric metric, double threshold, double? confidence = null)
    {
        _checks.Add(Claim(_evaluation, Name(metric), metric, threshold, confidence, atLeast: true));
        return this;
    }

    /// <summary>Claims <paramref name="metric"/> ≤ <paramref name="threshold"/> (log loss): on the value, or with <paramref name="confidence"/> on the interval's upper bound.</summary>
    public BinaryModelAssertions<TIn> AtMost(Metric metric, double threshold, double? confidence = null)
    {
        _checks.Add(Claim(_evaluation, Name(metric), metric, threshold, confidence, atLeast: false));
        return this;
    }

    /// <summary>
    /// Claims the model is no worse than <paramref name="reference"/> (the same rows, another model) by more than
    /// <paramref name="margin"/>: the lower bound of the paired difference's interval at <paramref name="confidence"/>
    /// must reach −<paramref name="margin"/>. ROC AUC by the paired DeLong test; accuracy by McNemar's exact test with the
    /// paired difference of proportions.
    /// </summary>
    /// <exception cref="ArgumentException">Another metric, or the evaluations are not on the same labelled rows.</exception>
    public BinaryModelAssertions<TIn> NoWorseThan(BinaryEvaluation<TIn> reference, Metric metric, double margin, double confidence = 0.95)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentOutOfRangeException.ThrowIfNegative(margin);
        if (reference.Count != _evaluation.Count || !reference.Labels.SequenceEqual(_evaluation.Labels))
        {
            throw new ArgumentException("A regression test compares two models on the same labelled rows; these evaluations differ in their rows.", nameof(reference));
        }

        var (difference, interval, test) = metric switch
        {
            Metric.RocAuc => PairedAuc(reference, confidence),
            Metric.Accuracy => PairedAccuracy(reference, confidence),
            _ => throw new ArgumentException($"A paired regression test is defined for ROC AUC (DeLong) and accuracy (McNemar), not {metric}.", nameof(metric)),
        };
        var (candidate, baseline) = (_evaluation.Value(metric), reference.Value(metric));
        var passed = interval.Lower >= -margin;
        _checks.Add(new QualityCheck(
            $"{Name(metric)} vs reference",
            $"difference ≥ {-margin:0.####} ({confidence:0.##%} lower bound)",
            difference,
            interval,
            _evaluation.Count,
            passed,
            $"candidate {candidate:0.####}, reference {baseline:0.####}, difference {difference:+0.####;-0.####;0} {interval}; {test}"
            + (passed ? string.Empty : $"; the candidate may be worse than the reference by more than {margin:0.####}")));
        return this;
    }

    /// <summary>
    /// Claims <paramref name="metric"/> ≥ <paramref name="threshold"/> in every slice of at least
    /// <paramref name="minSliceSize"/> rows (smaller slices are listed, not held to it); the message names the worst slice.
    /// </summary>
    public BinaryModelAssertions<TIn> AtLeastPerSlice<TKey>(string sliceName, Func<TIn, TKey> key, Metric metric, double threshold, int minSliceSize = 30, double? confidence = null)
        where TKey : notnull
    {
        ArgumentException.ThrowIfNullOrEmpty(sliceName);
        ArgumentOutOfRangeException.ThrowIfLessThan(minSliceSize, 1);
        var slices = _evaluation.SliceBy(key)
            .Select(s => (Key: s.Key.ToString() ?? string.Empty, Check: s.Value.Count >= minSliceSize ? Claim(s.Value, Name(metric), metric, threshold, confidence, atLeast: true) : null, s.Value.Count))
            .ToList();
        var held = slices.Where(s => s.Check is not null).OrderBy(s => confidence is null ? s.Check!.Value : s.Check!.Interval!.Value.Lower).ToList();
        if (held.Count == 0)
        {
            _checks.Add(new QualityCheck($"{Name(metric)} per {sliceName}", $"≥ {threshold:0.####}", double.NaN, null, 0, false, $"no {sliceName} has {minSliceSize} rows; the largest has {slices.Max(s => s.Count)}"));
            return this;
        }

        var worst = held[0];
        var failed = held.Where(s => !s.Check!.Passed).ToList();
        _checks.Add(worst.Check! with
        {
            Check = $"{Name(metric)} per {sliceName}",
            Passed = failed.Count == 0,
            Detail = failed.Count == 0
                ? $"worst {sliceName} '{worst.Key}'"
                : $"{failed.Count} of {held.Count} {sliceName} slices fail; worst '{worst.Key}': {worst.Check!.Detail}",
        });
        var table = new StringBuilder($"{Name(metric)} per {sliceName}, worst first:\n");
        foreach (var (sliceKey, check, count) in held.Concat(slices.Where(s => s.Check is null)))
        {
            table.Append(CultureInfo.InvariantCulture, $"  {sliceKey,-16} {(check is null ? "-" : check.Value.ToString("0.####", CultureInfo.InvariantCulture)),8}  {(check?.Interval?.ToString() ?? string.Empty),-28} n = {count}{(check is null ? $" (under {minSliceSize} rows: not held)" : check.Passed ? string.Empty : "  FAILED")}\n");
        }

        _sections.Add(table.ToString());
        return this;
    }

    /// <summary>
    /// Claims that the evaluated rows have not drifted from <paramref name="reference"/> (the model's profile from its
    /// training run): Monitoring's drift tests with <paramref name="options"/> (Evidently's defaults when null); the
    /// message lists the drifted features with their test, score and threshold.
    /// </summary>
    public BinaryModelAssertions<TIn> NoDriftFrom(Monitoring.ReferenceProfile reference, Monitoring.DriftOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(reference);
        using var monitor = new Monitoring.DriftMonitor<TIn>(reference, options);
        var report = monitor.Evaluate(_evaluation.Rows);
        var drifted = report.Features.Where(f => f.Drifted).ToList();
        _checks.Add(new QualityCheck("data drift", "no drifted feature", drifted.Count, null, report.Rows, drifted.Count == 0,
            $"{drifted.Count} of {report.Features.Count} features drifted: {string.Join(", ", drifted.Select(f => f.Feature))}"));
        if (drifted.Count > 0)
        {
            _sections.Add("Drifted features:\n" + string.Concat(drifted.Select(f => FormattableString.Invariant($"  {f.Feature,-20} {f.Test,-14} score {f.Score:0.######} (threshold {f.Threshold:0.####}, {(f.IsPValue ? "p-value" : "distance")})\n"))));
        }

        return this;
    }

    /// <summary>The table of checks, as <see cref="Verify"/> would report it.</summary>
    public string Report()
    {
        var text = new StringBuilder();
        var failed = _checks.Count(c => !c.Passed);
        text.Append(CultureInfo.InvariantCulture, $"Model quality: {(failed == 0 ? "every check passed" : $"{failed} of {_checks.Count} checks failed")} on {_evaluation.Count} rows (threshold {_evaluation.Threshold:0.###}).\n\n");
        CheckTable.Append(text, _checks);
        if (failed > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"\nConfusion matrix (rows: label, columns: prediction):\n              predicted 0  predicted 1\n  label 0     {_evaluation.TrueNegatives,11}  {_evaluation.FalsePositives,11}\n  label 1     {_evaluation.FalseNegatives,11}  {_evaluation.TruePositives,11}\n");
        }

        foreach (var section in _sections)
        {
            text.Append('\n').Append(section);
        }

        return text.ToString();
    }

    /// <summary>Checks every claim made; throws if any does not hold.</summary>
    /// <exception cref="ModelAssertionException">A claim does not hold: the message is <see cref="Report"/>.</exception>
    public void Verify() => CheckTable.Verify(_checks, Report, "AtLeast, AtMost, NoWorseThan, AtLeastPerSlice or NoDriftFrom");

    private static QualityCheck Claim(BinaryEvaluation<TIn> evaluation, string name, Metric metric, double threshold, double? confidence, bool atLeast)
    {
        var value = evaluation.Value(metric);
        var n = evaluation.Support(metric);
        var sign = atLeast ? "≥" : "≤";
        if (confidence is not { } level)
        {
            var interval = evaluation.Interval(metric);
            var ok = atLeast ? value >= threshold : value <= threshold;
            return new QualityCheck(name, $"{sign} {threshold:0.####}", value, interval, n, ok, ok ? string.Empty : $"{name} is {value:0.####}, {(atLeast ? "below" : "above")} {threshold:0.####}");
        }

        var bounds = evaluation.Interval(metric, level);
        var bound = atLeast ? bounds.Lower : bounds.Upper;
        var holds = atLeast ? bound >= threshold : bound <= threshold;
        var pointHolds = atLeast ? value >= threshold : value <= threshold;
        var side = atLeast ? "lower" : "upper";
        var why = holds ? string.Empty
            : pointHolds
                ? $"the holdout is too small to support the claim: the value {value:0.####} meets {threshold:0.####}, but its {level:0.##%} {side} bound {bound:0.####} does not (n = {n})"
                : $"{name} is {value:0.####}, {(atLeast ? "below" : "above")} {threshold:0.####}, and so is its {level:0.##%} {side} bound {bound:0.####}";
        return new QualityCheck(name, $"{sign} {threshold:0.####} ({level:0.##%} {side} bound)", value, bounds, n, holds, why);
    }

    private (double Difference, ConfidenceInterval Interval, string Test) PairedAuc(BinaryEvaluation<TIn> reference, double confidence)
    {
        var test = _evaluation.PairedAuc(reference);
        return (test.Difference, test.DifferenceInterval(confidence), $"paired DeLong z = {test.Z:0.###}, p = {P(test.PValue)}");
    }

    private (double Difference, ConfidenceInterval Interval, string Test) PairedAccuracy(BinaryEvaluation<TIn> reference, double confidence)
    {
        long onlyCandidate = 0, onlyReference = 0;
        foreach (var (candidate, baseline) in _evaluation.Correct.Zip(reference.Correct))
        {
            onlyCandidate += candidate && !baseline ? 1 : 0;
            onlyReference += baseline && !candidate ? 1 : 0;
        }

        double n = _evaluation.Count;
        var difference = (onlyCandidate - onlyReference) / n;
        var standardError = Math.Sqrt(Math.Max(0, onlyCandidate + onlyReference - ((onlyCandidate - onlyReference) * (onlyCandidate - onlyReference) / n))) / n;
        var mcnemar = HypothesisTests.McNemarExact(onlyCandidate, onlyReference);
        return (difference, ConfidenceInterval.Normal(difference, standardError, confidence),
            $"McNemar exact p = {P(mcnemar.PValue)} ({onlyCandidate} rows only the candidate got right, {onlyReference} only the reference)");
    }

    private static string P(double p) => p == 0 ? "< 1E-300" : p < 1e-4 ? p.ToString("0.##E+0", CultureInfo.InvariantCulture) : p.ToString("0.####", CultureInfo.InvariantCulture);

    private static string Name(Metric metric) => metric switch
    {
        Metric.RocAuc => "ROC AUC",
        Metric.LogLoss => "log loss",
        Metric.F1 => "F1",
        _ => metric.ToString().ToLowerInvariant(),
    };
}
