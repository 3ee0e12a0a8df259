using System.Globalization;
using System.Text;
using System.Text.Json;
using MlOps.Sdk.Serving;

namespace MlOps.Sdk.Testing.Quality;

/// <summary>
/// Claims about how a model behaves (CheckList's tests, Ribeiro et al., ACL 2020): invariance to a change that must not
/// matter, a direction a change must move the score, cases that must get their label, and golden predictions a new
/// version must reproduce. Collected and checked together by <see cref="Verify"/>. Rows are predicted in batches.
/// </summary>
public sealed class BehaviourAssertions<TIn, TOut>
    where TOut : new()
{
    private const int ShownRows = 10;
    private readonly ModelHost<TIn, TOut> _host;
    private readonly Func<TOut, double> _score;
    private readonly List<QualityCheck> _checks = [];
    private readonly List<string> _sections = [];

    internal BehaviourAssertions(ModelHost<TIn, TOut> host, Func<TOut, double> score)
    {
        _host = host;
        _score = score;
    }

    /// <summary>The checks so far.</summary>
    public IReadOnlyList<QualityCheck> Checks => _checks;

    /// <summary>Claims that <paramref name="change"/> (a feature that must not matter) moves no row's score by more than <paramref name="epsilon"/>.</summary>
    public BehaviourAssertions<TIn, TOut> Invariant(string name, IEnumerable<TIn> rows, Func<TIn, TIn> change, double epsilon)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epsilon);
        var (before, after) = Pairs(rows, change);
        var moved = Enumerable.Range(0, before.Length).Where(i => Math.Abs(after[i] - before[i]) > epsilon).ToList();
        var worst = before.Length == 0 ? 0 : Enumerable.Range(0, before.Length).Max(i => Math.Abs(after[i] - before[i]));
        Add(name, $"|score change| ≤ {epsilon:0.####}", worst, before.Length, moved, before, after, "largest change");
        return this;
    }

    /// <summary>Claims that <paramref name="change"/> moves every row's score in <paramref name="direction"/> (beyond <paramref name="tolerance"/> it must not move the other way).</summary>
    public BehaviourAssertions<TIn, TOut> Directional(string name, IEnumerable<TIn> rows, Func<TIn, TIn> change, ScoreDirection direction, double tolerance = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(tolerance);
        var (before, after) = Pairs(rows, change);
        var sign = direction == ScoreDirection.NotDecreasing ? 1 : -1;
        var wrong = Enumerable.Range(0, before.Length).Where(i => sign * (after[i] - before[i]) < -tolerance).ToList();
        var worst = before.Length == 0 ? 0 : Enumerable.Range(0, before.Length).Min(i => sign * (after[i] - before[i]));
        Add(name, direction == ScoreDirection.NotDecreasing ? "score never decreases" : "score never increases", worst, before.Length, wrong, before, after, "worst move");
        return this;
    }

    /// <summary>Claims that each case gets its label: positive when its score reaches <paramref name="threshold"/> (minimum functionality tests).</summary>
    public BehaviourAssertions<TIn, TOut> Expect(string name, IEnumerable<(TIn Row, bool Positive)> cases, double threshold = 0.5)
    {
        ArgumentNullException.ThrowIfNull(cases);
        var list = cases.ToList();
        var scores = Scores(list.Select(c => c.Row).ToArray());
        var wrong = Enumerable.Range(0, list.Count).Where(i => (scores[i] >= threshold) != list[i].Positive).ToList();
        _checks.Add(new QualityCheck(name, $"every case labelled (threshold {threshold:0.###})", list.Count - wrong.Count, null, list.Count, wrong.Count == 0,
            $"{wrong.Count} of {list.Count} cases get the other label"));
        if (wrong.Count > 0)
        {
            _sections.Add(Rows($"{name}: cases with the other label (first {ShownRows})", wrong, i => $"expected {(list[i].Positive ? "positive" : "negative")}, score {F(scores[i])}"));
        }

        return this;
    }

    /// <summary>
    /// Claims that the model reproduces the golden predictions in <paramref name="path"/> (inputs and scores, JSON)
    /// within <paramref name="tolerance"/>; the message lists the first rows that differ. When the file does not exist,
    /// it is written from <paramref name="rows"/> and the check fails, asking for it to be reviewed and committed.
    /// </summary>
    public BehaviourAssertions<TIn, TOut> MatchesGolden(string path, IEnumerable<TIn> rows, double tolerance = 1e-6, JsonSerializerOptions? json = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(tolerance);
        if (!File.Exists(path))
        {
            var inputs = rows.ToArray();
            var recorded = Scores(inputs);
            var golden = inputs.Select((row, i) => new GoldenRow<TIn>(row, recorded[i])).ToList();
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            File.WriteAllText(path, JsonSerializer.Serialize(golden, json ?? Indented));
            _checks.Add(new QualityCheck($"golden {Path.GetFileName(path)}", "file exists", double.NaN, null, inputs.Length, false,
                $"there was no golden file: {Path.GetFullPath(path)} was written with {inputs.Length} rows; review it, commit it, and run again"));
            return this;
        }

        var expected = JsonSerializer.Deserialize<List<GoldenRow<TIn>>>(File.ReadAllText(path), json ?? Indented)
            ?? throw new InvalidDataException($"{path} holds no golden rows.");
        var actual = Scores([.. expected.Select(g => g.Input)]);
        var differing = Enumerable.Range(0, expected.Count).Where(i => !(Math.Abs(actual[i] - expected[i].Score) <= tolerance)).ToList();
        var worst = expected.Count == 0 ? 0 : Enumerable.Range(0, expected.Count).Max(i => Math.Abs(actual[i] - expected[i].Score));
        _checks.Add(new QualityCheck($"golden {Path.GetFileName(path)}", $"|score − golden| ≤ {tolerance:0.######}", worst, null, expected.Count, differing.Count == 0,
            $"{differing.Count} of {expected.Count} rows differ"));
        if (differing.Count > 0)
        {
            _sections.Add(Rows($"golden {Path.GetFileName(path)}: rows that differ (first {ShownRows})", differing, i => $"golden {F(expected[i].Score)}, now {F(actual[i])}, difference {F(actual[i] - expected[i].Score)}"));
        }

        return this;
    }

    /// <summary>The table of checks, as <see cref="Verify"/> would report it.</summary>
    public string Report()
    {
        var failed = _checks.Count(c => !c.Passed);
        var text = new StringBuilder($"Model behaviour: {(failed == 0 ? "every check passed" : $"{failed} of {_checks.Count} checks failed")}.\n\n");
        CheckTable.Append(text, _checks);
        foreach (var section in _sections)
        {
            text.Append('\n').Append(section);
        }

        return text.ToString();
    }

    /// <summary>Checks every claim made; throws if any does not hold.</summary>
    /// <exception cref="ModelAssertionException">A claim does not hold: the message is <see cref="Report"/>.</exception>
    public void Verify() => CheckTable.Verify(_checks, Report, "Invariant, Directional, Expect or MatchesGolden");

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private void Add(string name, string claim, double worst, int count, List<int> failing, double[] before, double[] after, string what)
    {
        _checks.Add(new QualityCheck(name, claim, worst, null, count, failing.Count == 0, $"{failing.Count} of {count} rows break it; {what} {F(worst)}"));
        if (failing.Count > 0)
        {
            _sections.Add(Rows($"{name}: rows that break it (first {ShownRows})", failing, i => $"score {F(before[i])} -> {F(after[i])}"));
        }
    }

    private (double[] Before, double[] After) Pairs(IEnumerable<TIn> rows, Func<TIn, TIn> change)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(change);
        var originals = rows.ToArray();
        return (Scores(originals), Scores(Array.ConvertAll(originals, r => change(r))));
    }

    private double[] Scores(TIn[] rows)
    {
        var scores = new double[rows.Length];
        for (var start = 0; start < rows.Length; start += ModelEvaluation.DefaultBatchSize)
        {
            var batch = rows.AsSpan(start, Math.Min(ModelEvaluation.DefaultBatchSize, rows.Length - start));
            var results = _host.Predict(batch);
            for (var i = 0; i < results.Count; i++)
            {
                scores[start + i] = _score(results[i]);
            }
        }

        return scores;
    }

    private static string Rows(string title, List<int> rows, Func<int, string> describe)
    {
        var text = new StringBuilder(title).Append(":\n");
        foreach (var i in rows.Take(ShownRows))
        {
            text.Append(CultureInfo.InvariantCulture, $"  row {i}: {describe(i)}\n");
        }

        return text.ToString();
    }

    private static string F(double value) => value.ToString("0.######", CultureInfo.InvariantCulture);
}
