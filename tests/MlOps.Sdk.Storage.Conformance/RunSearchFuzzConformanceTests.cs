using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using MlOps.Sdk.Tracking;
using MlOps.Sdk.Tracking.Search;
using Xunit;
using Xunit.Abstractions;

namespace MlOps.Sdk.Storage.Conformance;

/// <summary>
/// Generated filters, well-formed, mangled and hostile, and generated orders walked in small pages, run against the
/// provider and compared with the reference evaluation (<see cref="RunFilter.Matches"/>, <see cref="RunOrderComparer"/>).
/// </summary>
public abstract class RunSearchFuzzConformanceTests(ITestOutputHelper output) : ProviderTestBase
{
    private static readonly string[] Fields =
    [
        "metrics.auc", "metrics.loss", "metrics.`auc`", "metric.missing", "params.model", "params.l2", "param.\"model\"",
        "tags.team", "tags.`team`", "attributes.status", "attributes.run_name", "attributes.start_time", "run.id", "datasets.name",
        "datasets.digest", "attributes.experiment_id", "params.`a b`", "params.`a'b`", "`metric`.auc", "`params`.model",
        "\"tags\".team", "attributes.user_id", "attribute.artifact_uri", "`attributes`.user_id",
    ];

    /// <summary>What order clauses are made of: fields that can order runs, and some that cannot.</summary>
    private static readonly string[] OrderFields =
    [
        "metrics.auc", "metrics.loss", "metrics.`auc`", "metric.missing", "params.model", "params.l2", "tags.team", "`tags`.team",
        "attributes.status", "attributes.run_name", "attributes.start_time", "attributes.end_time", "attributes.experiment_id",
        "attributes.user_id", "attributes.artifact_uri", "run.id", "datasets.name", "`metrics.auc`", "m.auc", "attributes.bogus",
    ];

    private static readonly string[] Operators = ["=", "!=", "<", "<=", ">", ">=", "LIKE", "ILIKE", "IN", "NOT IN", "==", "<>", "=>", "NOT", "like", "Ilike"];

    private static readonly string[] Hostile =
    [
        "'; DROP TABLE runs; --", "' OR '1'='1", "\" OR 1=1 --", ") OR (1=1", " UNION SELECT * FROM params --", "/*", "*/", "\\", "\0",
        "%", "_", "[", "*", "?", "'')--", "$p0", "@p", ":now", "1e309", "-0", "0x10", "NaN", "Infinity", "😀", "ṡ", "\u202e",
        "SELECT", "AND AND", "OR", "((", "))", ",", ".", "`", "\"", "'", "''", "run_id", "metrics.", "IN ()", "1=1",
    ];

    private List<Run> _runs = [];

    private ExperimentTracker Tracker => Services.GetRequiredService<ExperimentTracker>();

    /// <inheritdoc />
    protected override void ConfigureLayers(IMlOpsBuilder builder) => builder.AddTracking();

    /// <summary>Fails when hostile filters damaged the store: its own integrity check, whatever the searches returned.</summary>
    protected abstract Task AssertStoreIntactAsync();

    /// <inheritdoc />
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var random = new Random(1);
        var models = new[] { "sdca", "lbfgs", "O'Brien", "a%b", "x_y", "SDCA", "" };
        for (var i = 0; i < 30; i++)
        {
            var user = new Dictionary<string, string> { [RunAttributes.UserTag] = i % 3 == 0 ? "risk" : "O'Brien" };
            await using var run = await Tracker.StartRunAsync(i % 2 == 0 ? "fuzz" : "fuzz-2", $"run-{i}", i % 4 == 1 ? null : user);
            run.LogParam("model", models[i % models.Length]);
            run.LogParam("l2", (random.NextDouble() * (i % 3 == 0 ? 1 : 100)).ToString("R", CultureInfo.InvariantCulture));
            run.LogParam("a b", "quoted");
            if (i % 4 != 0)
            {
                run.SetTag("team", i % 3 == 0 ? "risk" : "growth");
            }

            run.LogMetric("auc", i == 5 ? double.NaN : random.NextDouble());
            run.LogMetric("loss", random.Next(-5, 5));
            if (i % 5 == 0)
            {
                run.LogInput(new DatasetInput("transactions", ContentDigest.Compute([(byte)i]), "training"));
            }

            if (i % 7 == 0)
            {
                await run.EndAsync(RunStatus.Failed);
            }
        }

        var page = await Tracker.SearchRunsAsync(new RunSearchQuery { MaxResults = 1000 });
        _runs = page.Runs.ToList();
        Assert.Equal(30, _runs.Count);
    }

    [Fact]
    public async Task TenThousandGeneratedFilters_GiveATypedErrorOrExactlyTheReferenceRows()
    {
        var random = new Random(20261126);
        int parsed = 0, rejected = 0;
        for (var i = 0; i < 10_000; i++)
        {
            var filter = Generate(random);
            RunFilter? reference = null;
            try
            {
                reference = RunFilter.Parse(filter);
            }
            catch (FilterSyntaxException)
            {
            }

            RunSearchPage page;
            try
            {
                page = await Tracker.SearchRunsAsync(new RunSearchQuery { Filter = filter, MaxResults = 1000 });
            }
            catch (FilterSyntaxException e)
            {
                Assert.True(reference is null, $"Filter parsed but the search rejected it: {filter}");
                Assert.InRange(e.Position, 0, filter.Length);
                rejected++;
                continue;
            }
            catch (Exception e)
            {
                Assert.Fail($"Filter {Escape(filter)} threw {e.GetType().Name}: {e.Message}");
                throw;
            }

            if (string.IsNullOrWhiteSpace(filter))
            {
                Assert.Equal(_runs.Count, page.Runs.Count);
                continue;
            }

            Assert.NotNull(reference);
            var expected = _runs.Where(reference.Matches).Select(r => r.Info.RunId).Order(StringComparer.Ordinal).ToList();
            var actual = page.Runs.Select(r => r.Info.RunId).Order(StringComparer.Ordinal).ToList();
            Assert.True(expected.SequenceEqual(actual), $"Filter {Escape(filter)}: expected {expected.Count} rows, got {actual.Count}.");
            parsed++;
        }

        output.WriteLine($"{parsed} filters parsed and matched the reference rows; {rejected} were rejected with a typed error.");
        Assert.True(parsed > 1_000, $"Only {parsed} of the generated filters were valid; the generator is too hostile to test results.");
        Assert.True(rejected > 1_000, $"Only {rejected} of the generated filters were rejected; the generator is too tame.");
        await AssertStoreIntactAsync();
        Assert.Equal(30, (await Tracker.SearchRunsAsync(new RunSearchQuery { MaxResults = 1000 })).Runs.Count);
    }

    [Fact]
    public async Task TwoThousandGeneratedOrderLists_GiveATypedErrorOrExactlyTheReferenceOrder()
    {
        var random = new Random(20261129);
        int ordered = 0, rejected = 0;
        for (var i = 0; i < 2_000; i++)
        {
            var clauses = Enumerable.Range(0, random.Next(0, 5) == 0 ? random.Next(15, 30) : random.Next(1, 4)).Select(_ => OrderClause(random)).ToList();
            IReadOnlyList<RunOrdering>? reference = null;
            try
            {
                reference = RunFilter.ParseOrderBy(clauses);
            }
            catch (MlOpsValidationException)
            {
            }

            RunSearchPage page;
            try
            {
                page = await Tracker.SearchRunsAsync(new RunSearchQuery { OrderBy = clauses, MaxResults = 1000 });
            }
            catch (MlOpsValidationException)
            {
                Assert.True(reference is null, $"Order [{string.Join(" | ", clauses)}] parsed but the search rejected it");
                rejected++;
                continue;
            }
            catch (Exception e)
            {
                Assert.Fail($"Order [{Escape(string.Join(" | ", clauses))}] threw {e.GetType().Name}: {e.Message}");
                throw;
            }

            Assert.NotNull(reference);
            var expected = _runs.Order(new RunOrderComparer(reference)).Select(r => r.Info.RunId).ToList();
            Assert.Equal(expected, page.Runs.Select(r => r.Info.RunId).ToList());
            ordered++;
        }

        output.WriteLine($"{ordered} order lists gave the reference order; {rejected} were rejected with a typed error.");
        Assert.True(ordered > 300 && rejected > 300, $"{ordered} ordered, {rejected} rejected: the generator is unbalanced.");
    }

    [Fact]
    public async Task FiveHundredGeneratedSearches_WalkedInSmallPages_GiveTheReferenceOrder()
    {
        // Keyset pages: each continues after the previous page's last sort key, through ties, NaN and missing keys.
        var random = new Random(20261130);
        var walked = 0;
        while (walked < 500)
        {
            var clauses = Enumerable.Range(0, random.Next(0, 4)).Select(_ => OrderFields[random.Next(16)] + (random.Next(2) == 0 ? " DESC" : string.Empty)).ToList();
            var filter = random.Next(3) == 0 ? null : Expression(random, 0);
            RunFilter? reference;
            try
            {
                reference = filter is null ? null : RunFilter.Parse(filter);
            }
            catch (FilterSyntaxException)
            {
                continue;
            }

            var expected = _runs.Where(r => reference is null || reference.Matches(r)).Order(new RunOrderComparer(RunFilter.ParseOrderBy(clauses))).Select(r => r.Info.RunId).ToList();
            var pageSize = random.Next(1, 6);
            var actual = new List<string>();
            string? token = null;
            do
            {
                var page = await Tracker.SearchRunsAsync(new RunSearchQuery { Filter = filter, OrderBy = clauses, MaxResults = pageSize, PageToken = token });
                Assert.True(page.Runs.Count <= pageSize);
                actual.AddRange(page.Runs.Select(r => r.Info.RunId));
                token = page.NextPageToken;
            }
            while (token is not null && actual.Count <= _runs.Count);

            Assert.True(expected.SequenceEqual(actual), $"Filter {Escape(filter ?? "(none)")}, order [{string.Join(" | ", clauses)}], pages of {pageSize}: expected {string.Join(",", expected)}, got {string.Join(",", actual)}.");
            walked++;
        }
    }

    private static string OrderClause(Random random)
    {
        var clause = OrderFields[random.Next(OrderFields.Length)] + random.Next(6) switch
        {
            0 => " ASC",
            1 => " desc",
            2 => "  DESC",
            3 => " ACS",
            _ => string.Empty,
        };
        return random.Next(10) switch
        {
            0 => clause + " ",
            1 => Mutate(random, clause),
            2 => Splice(random, clause),
            _ => clause,
        };
    }

    private static string Generate(Random random)
    {
        var valid = Expression(random, 0);
        return random.Next(6) switch
        {
            0 or 1 or 2 => valid,
            3 => Mutate(random, valid),
            4 => Splice(random, valid),
            _ => Noise(random),
        };
    }

    private static string Expression(Random random, int depth)
    {
        if (depth < 3 && random.Next(3) == 0)
        {
            var joiner = random.Next(2) == 0 ? " AND " : " or ";
            var inner = Expression(random, depth + 1) + joiner + Expression(random, depth + 1);
            return random.Next(2) == 0 ? "(" + inner + ")" : inner;
        }

        var field = Fields[random.Next(Fields.Length)];
        if (random.Next(8) == 0)
        {
            // Valid on params and tags only; a typed error elsewhere.
            return field + (random.Next(2) == 0 ? " IS NULL" : " is not null");
        }

        if (random.Next(12) == 0)
        {
            // A backtick-quoted value: MLflow refuses it, and so must every provider.
            return field + " = `sdca`";
        }

        if (random.Next(5) == 0)
        {
            var any = Operators[random.Next(Operators.Length)];
            return field + " " + any + " " + Literal(random, any);
        }

        // Mostly well-typed, so that result rows are checked and not only rejections.
        var numeric = field.StartsWith("metric", StringComparison.Ordinal) || field.EndsWith("_time", StringComparison.Ordinal)
            || (field.StartsWith("param", StringComparison.Ordinal) && random.Next(2) == 0);
        if (numeric)
        {
            var op = Operators[random.Next(6)];
            return field + " " + op + " " + (random.NextDouble() * 2 - 0.5).ToString("R", CultureInfo.InvariantCulture);
        }

        var textOp = new[] { "=", "!=", "LIKE", "ILIKE", "IN", "NOT IN" }[random.Next(6)];
        return field + " " + textOp + " " + (textOp.EndsWith("IN", StringComparison.Ordinal) ? "(" + Quote(random) + ", " + Quote(random) + ")" : Quote(random));
    }

    private static string Literal(Random random, string op)
    {
        if (op.EndsWith("IN", StringComparison.OrdinalIgnoreCase))
        {
            var count = random.Next(0, 4);
            return "(" + string.Join(", ", Enumerable.Range(0, count).Select(_ => Quote(random))) + ")";
        }

        return random.Next(3) switch
        {
            0 => (random.NextDouble() * 200 - 100).ToString("R", CultureInfo.InvariantCulture),
            1 => random.Next(-2, 3).ToString(CultureInfo.InvariantCulture),
            _ => Quote(random),
        };
    }

    private static string Quote(Random random)
    {
        var choices = new[] { "sdca", "O''Brien", "a%b", "x_y", "SDCA", "", "risk", "grow%", "%o%", "FAILED", "run-1%", "transactions", "quoted" };
        var text = random.Next(4) == 0 ? Hostile[random.Next(Hostile.Length)].Replace("'", "''", StringComparison.Ordinal) : choices[random.Next(choices.Length)];
        return "'" + text + "'";
    }

    private static string Mutate(Random random, string filter)
    {
        var builder = new StringBuilder(filter);
        for (var n = random.Next(1, 4); n > 0 && builder.Length > 0; n--)
        {
            var at = random.Next(builder.Length);
            switch (random.Next(3))
            {
                case 0:
                    builder.Remove(at, 1);
                    break;
                case 1:
                    builder.Insert(at, "'\"()`.,=<>!%_ \\;-"[random.Next(17)]);
                    break;
                default:
                    builder[at] = (char)random.Next(32, 127);
                    break;
            }
        }

        return builder.ToString();
    }

    private static string Splice(Random random, string filter)
    {
        var at = random.Next(filter.Length + 1);
        return filter[..at] + Hostile[random.Next(Hostile.Length)] + filter[at..];
    }

    private static string Noise(Random random) => random.Next(5) switch
    {
        0 => new string('(', random.Next(30, 80)) + "metrics.auc > 0" + new string(')', random.Next(30, 80)),
        1 => string.Join(" OR ", Enumerable.Range(0, random.Next(150, 260)).Select(i => $"params.model = 'm{i}'")),
        2 => new string('x', random.Next(7_990, 8_020)),
        3 => Hostile[random.Next(Hostile.Length)] + Hostile[random.Next(Hostile.Length)],
        _ => new string(Enumerable.Range(0, random.Next(0, 40)).Select(_ => (char)random.Next(0, 0x3000)).ToArray()),
    };

    private static string Escape(string s) => s.Length > 300 ? s[..300] + "…" : s.Replace("\0", "\\0", StringComparison.Ordinal);
}
