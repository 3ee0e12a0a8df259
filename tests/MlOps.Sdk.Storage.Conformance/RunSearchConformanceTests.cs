using Microsoft.Extensions.DependencyInjection;
using MlOps.Sdk.Tracking;
using MlOps.Sdk.Tracking.Search;
using Xunit;

namespace MlOps.Sdk.Storage.Conformance;

/// <summary>
/// Search over a seeded set of runs: every provider must return exactly what <see cref="RunFilter.Matches"/> selects,
/// in the order of <see cref="RunOrderComparer"/>, and a few results are pinned by hand.
/// </summary>
public abstract class RunSearchConformanceTests : ProviderTestBase
{
    private static readonly string[] Models = ["sdca", "lbfgs", "Fast Tree", "sdca%", "ṡdca"];
    private static readonly string[] L2 = ["0.001", "0.01", "0.1", "1", "n/a", "1e-3"];
    private readonly List<SeededRun> _seeded = [];

    /// <summary>The tracker under test.</summary>
    protected ExperimentTracker Tracker => Services.GetRequiredService<ExperimentTracker>();

    /// <summary>The acting user: runs record who started them.</summary>
    protected SwitchableIdentity Identity { get; } = new();

    /// <inheritdoc />
    protected override void ConfigureLayers(IMlOpsBuilder builder)
    {
        builder.Services.AddSingleton<IActorIdentity>(Identity);
        builder.AddTracking();
    }

    /// <inheritdoc />
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var random = new Random(42);
        for (var i = 0; i < 40; i++)
        {
            var experiment = i % 4 == 3 ? "search-b" : "search-a";
            Identity.CurrentActor = i % 3 == 1 ? "bob" : "alice";
            var run = await Tracker.StartRunAsync(experiment, $"run-{i:00}");
            var seed = new SeededRun(run.Id, experiment, Models[random.Next(Models.Length)], L2[random.Next(L2.Length)], i % 3 == 0 ? null : (i % 2 == 0 ? "risk" : "Growth"), i == 7 ? double.NaN : Math.Round(random.NextDouble(), 3));
            run.LogParam("model", seed.Model);
            run.LogParam("l2", seed.L2);
            if (seed.Team is not null)
            {
                run.SetTag("team", seed.Team);
            }

            run.LogMetric("auc", 0.5, step: 0);
            run.LogMetric("auc", seed.Auc, step: 3);
            run.LogMetric("loss", 1 - (i / 40.0), step: 1);
            if (i % 5 == 0)
            {
                run.LogInput(new DatasetInput(i % 10 == 0 ? "transactions" : "customers", ContentDigest.Compute([(byte)(i % 3)]), "training"));
            }

            if (i % 6 == 1)
            {
                await run.EndAsync(RunStatus.Failed);
            }
            else if (i % 6 != 2)
            {
                await run.EndAsync();
            }
            else
            {
                await run.FlushAsync();
            }

            _seeded.Add(seed);
            Time.Advance(TimeSpan.FromSeconds(i % 5 == 4 ? 0 : 1));
        }
    }

    public static TheoryData<string> Filters => new()
    {
        "metrics.auc > 0.5",
        "metrics.auc >= 0.5 AND params.model = 'sdca'",
        "metrics.auc < 0.2 OR metrics.auc > 0.8",
        "metrics.auc != 0.5",
        "metrics.loss <= 0.5 AND (params.model = 'lbfgs' OR params.model = 'Fast Tree')",
        "params.model LIKE 'sdca%'",
        "params.model LIKE '_dca'",
        "params.model ILIKE 'SDCA%'",
        "params.model ILIKE '%tree'",
        "params.model IN ('sdca', 'lbfgs')",
        "params.model NOT IN ('sdca', 'lbfgs')",
        "params.model != 'sdca'",
        "params.l2 > 0.005",
        "params.l2 = 0.001",
        "params.l2 = '0.001'",
        "params.l2 <= 0.1 AND params.l2 != 0.01",
        "tags.team = 'risk'",
        "tags.team ILIKE 'growth'",
        "tags.team != 'risk'",
        "attributes.status = 'RUNNING'",
        "attributes.status IN ('FAILED', 'KILLED')",
        "attributes.run_name LIKE 'run-1%'",
        "attributes.start_time >= 1767225610000",
        "attributes.end_time > 0",
        "datasets.name = 'transactions'",
        "datasets.context = 'training' AND metrics.auc > 0.3",
        "(params.model = 'sdca' OR tags.team = 'risk') AND (metrics.auc > 0.4 OR attributes.status = 'FAILED')",
        "run.name = 'run-03' or RUN.NAME = 'run-04'",
        "metrics.`auc` > 0.1 AND params.\"model\" = 'lbfgs'",
        "metrics.missing > 0",
        "params.model = 'sdca'' OR 1=1 --'",
        "tags.team IS NULL",
        "tags.team IS NOT NULL",
        "params.model IS NOT NULL AND tags.team IS NULL",
        "params.missing IS NULL",
        "params.missing IS NOT NULL OR tags.team is null",
        "`metric`.auc >= 0.1",
        "`params`.model = 'lbfgs'",
        "\"tags\".team = 'risk'",
        "params.model = \"sdca\"",
        "attributes.user_id = 'bob'",
        "attribute.user_id != 'bob' AND metrics.auc > 0.3",
        "attributes.user_id IN ('alice', 'carol')",
        "attributes.artifact_uri LIKE 'runs:/%'",
        "attributes.artifact_uri = 'runs:/nothing'",
    };

    [Theory]
    [MemberData(nameof(Filters))]
    public virtual async Task SearchRunsAsync_Filter_MatchesReferenceEvaluation(string filter)
    {
        var expected = await ReferenceAsync(RunFilter.Parse(filter), []);

        var actual = await SearchAllAsync(new RunSearchQuery { Filter = filter, MaxResults = 1000 });

        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData("metrics.auc DESC")]
    [InlineData("metrics.auc")]
    [InlineData("params.model ASC")]
    [InlineData("tags.team DESC")]
    [InlineData("attributes.run_name DESC")]
    [InlineData("attributes.end_time")]
    [InlineData("attributes.status")]
    [InlineData("attributes.user_id DESC")]
    [InlineData("attributes.artifact_uri")]
    [InlineData("params.`model` DESC")]
    [InlineData("metrics.\"auc\"  desc")]
    public virtual async Task SearchRunsAsync_OrderBy_MatchesReferenceOrder(string orderBy)
    {
        var expected = await ReferenceAsync(null, RunFilter.ParseOrderBy([orderBy, "metrics.loss"]));

        var actual = await SearchAllAsync(new RunSearchQuery { OrderBy = [orderBy, "metrics.loss"], MaxResults = 1000 });

        Assert.Equal(expected, actual);
    }

    [Fact]
    public virtual async Task SearchRunsAsync_HandPinnedResults()
    {
        var sdca = await SearchAllAsync(new RunSearchQuery { Filter = "params.model = 'sdca'", MaxResults = 1000 });
        Assert.Equal(_seeded.Where(s => s.Model == "sdca").Select(s => s.RunId).Order(StringComparer.Ordinal), sdca.Order(StringComparer.Ordinal));

        var like = await SearchAllAsync(new RunSearchQuery { Filter = "params.model LIKE 'sdca%'", MaxResults = 1000 });
        Assert.Equal(_seeded.Where(s => s.Model.StartsWith("sdca", StringComparison.Ordinal)).Select(s => s.RunId).Order(StringComparer.Ordinal), like.Order(StringComparer.Ordinal));

        var numeric = await SearchAllAsync(new RunSearchQuery { Filter = "params.l2 < 0.005", MaxResults = 1000 });
        Assert.Equal(_seeded.Where(s => s.L2 is "0.001" or "1e-3").Select(s => s.RunId).Order(StringComparer.Ordinal), numeric.Order(StringComparer.Ordinal));

        var best = await SearchAllAsync(new RunSearchQuery { OrderBy = ["metrics.auc DESC"], MaxResults = 1000 });
        Assert.Equal(_seeded.Where(s => !double.IsNaN(s.Auc)).Max(s => s.Auc), _seeded.Single(s => s.RunId == best[0]).Auc);
        Assert.Equal(_seeded[7].RunId, best[^1]);

        var scoped = await SearchAllAsync(new RunSearchQuery { ExperimentNames = ["search-b"], MaxResults = 1000 });
        Assert.Equal(_seeded.Where(s => s.Experiment == "search-b").Select(s => s.RunId).Order(StringComparer.Ordinal), scoped.Order(StringComparer.Ordinal));
    }

    [Fact]
    public virtual async Task SearchRunsAsync_MlflowNullTestsUsersAndArtifactUris_GiveMlflowsResults()
    {
        async Task<List<string>> Sorted(string filter) => [.. (await SearchAllAsync(new RunSearchQuery { Filter = filter, MaxResults = 1000 })).Order(StringComparer.Ordinal)];
        List<string> Seeded(Func<SeededRun, bool> predicate) => [.. _seeded.Where(predicate).Select(s => s.RunId).Order(StringComparer.Ordinal)];

        Assert.Equal(Seeded(s => s.Team is null), await Sorted("tags.team IS NULL"));
        Assert.Equal(Seeded(s => s.Team is not null), await Sorted("tags.team IS NOT NULL"));
        Assert.Equal(Seeded(_ => true), await Sorted("params.l2 IS NOT NULL"));
        Assert.Empty(await Sorted("params.l2 IS NULL"));
        Assert.Equal(Seeded(s => _seeded.IndexOf(s) % 3 == 1), await Sorted("attributes.user_id = 'bob'"));
        Assert.Equal([_seeded[4].RunId], await Sorted($"attributes.artifact_uri = 'runs:/{_seeded[4].RunId}'"));
        Assert.Equal("bob", (await Tracker.GetRunAsync(_seeded[1].RunId))!.Tags[RunAttributes.UserTag]);
    }

    [Theory]
    [InlineData("metrics.auc IS NULL", "only supported for tags and params")]
    [InlineData("attributes.status IS NULL", "only supported for tags and params")]
    [InlineData("datasets.name IS NOT NULL", "only supported for tags and params")]
    [InlineData("attribute.status IS 'RUNNING'", "expected NULL")]
    [InlineData("params.model = `sdca`", "backticks")]
    [InlineData("params.model IN ('a', `b`)", "backticks")]
    [InlineData("`metrics.auc > 0.1", "no closing")]
    [InlineData("attributes.lifecycle_stage = 'ACTIVE'", "not a run attribute")]
    [InlineData("attributes.status = true", "expected a number or a quoted string")]
    public virtual async Task SearchRunsAsync_FormsMlflowRefuses_AreRefused(string filter, string reason)
    {
        var error = await Assert.ThrowsAsync<FilterSyntaxException>(() => Tracker.SearchRunsAsync(new RunSearchQuery { Filter = filter }));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("params.model ")]
    [InlineData(" params.model")]
    [InlineData("`metrics.auc`")]
    [InlineData("metrics.auc != 1")]
    [InlineData("attributes.run_id ACS")]
    [InlineData("m.auc")]
    public virtual async Task SearchRunsAsync_OrderClausesMlflowRefuses_AreRefused(string orderBy)
    {
        await Assert.ThrowsAsync<FilterSyntaxException>(() => Tracker.SearchRunsAsync(new RunSearchQuery { OrderBy = [orderBy] }));
    }

    [Fact]
    public virtual async Task SearchRunsAsync_HostileListSizes_GiveTypedErrors()
    {
        var orderBy = Enumerable.Repeat("metrics.auc", 1_000).ToList();
        var names = Enumerable.Range(0, 33_000).Select(i => $"experiment-{i}").ToList();

        var order = await Assert.ThrowsAsync<MlOpsValidationException>(() => Tracker.SearchRunsAsync(new RunSearchQuery { OrderBy = orderBy }));
        var experiments = await Assert.ThrowsAsync<MlOpsValidationException>(() => Tracker.SearchRunsAsync(new RunSearchQuery { ExperimentNames = names }));

        Assert.Contains(RunFilter.MaxOrderByClauses.ToString(System.Globalization.CultureInfo.InvariantCulture), order.Message, StringComparison.Ordinal);
        Assert.Contains("33000", experiments.Message, StringComparison.Ordinal);
        var atTheLimit = await Tracker.SearchRunsAsync(new RunSearchQuery { OrderBy = [.. Enumerable.Repeat("metrics.auc", RunFilter.MaxOrderByClauses)], MaxResults = 1000 });
        Assert.Equal(_seeded.Count, atTheLimit.Runs.Count);
    }

    [Fact]
    public virtual async Task LoneSurrogates_AreRefusedWhereTextIsWritten_AndNothingIsStored()
    {
        var lone = "risk\uD800";
        await using var run = await Tracker.StartRunAsync("surrogates");

        Assert.Throws<MlOpsValidationException>(() => run.SetTag("team", lone));
        Assert.Throws<MlOpsValidationException>(() => run.LogParam("model", "\uDC00sdca"));
        await Assert.ThrowsAsync<MlOpsValidationException>(() => Tracker.StartRunAsync("surrogates", "run\uD83D"));
        await Assert.ThrowsAsync<MlOpsValidationException>(() => Tracker.StartRunAsync("surrogates", tags: new Dictionary<string, string> { ["team"] = lone }));
        run.SetTag("team", "risk \uD83D\uDE00");
        await run.FlushAsync();

        var stored = await Tracker.GetRunAsync(run.Id);
        Assert.Equal("risk \uD83D\uDE00", stored!.Tags["team"]);
        Assert.False(stored.Params.ContainsKey("model"));
    }

    [Fact]
    public virtual async Task SearchRunsAsync_Pages_ConcatenateToTheWholeResult()
    {
        var query = new RunSearchQuery { Filter = "metrics.loss > 0.1", OrderBy = ["params.model", "metrics.auc DESC"], MaxResults = 7 };
        var whole = await SearchAllAsync(query with { MaxResults = 1000 });

        var paged = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await Tracker.SearchRunsAsync(query with { PageToken = token });
            Assert.True(page.Runs.Count <= 7);
            paged.AddRange(page.Runs.Select(r => r.Info.RunId));
            token = page.NextPageToken;
            pages++;
        }
        while (token is not null);

        Assert.Equal(whole, paged);
        Assert.Equal((whole.Count + 6) / 7, pages);
    }

    [Fact]
    public virtual async Task SearchRunsAsync_RunsChangedBetweenPages_NeitherRepeatNorSkipTheRest()
    {
        // A page continues after the previous page's last sort key: runs that now sort before it (a new best run, a
        // run of page 1 re-scored) move nothing that is still to come, as an offset would.
        var query = new RunSearchQuery { OrderBy = ["metrics.auc DESC"], MaxResults = 5 };
        var whole = await SearchAllAsync(query);
        var first = await Tracker.SearchRunsAsync(query);
        await using (var best = await Tracker.StartRunAsync("search-a", "late-best"))
        {
            best.LogMetric("auc", 2);
        }

        var rest = new List<string>();
        var token = first.NextPageToken;
        while (token is not null)
        {
            var page = await Tracker.SearchRunsAsync(query with { PageToken = token });
            rest.AddRange(page.Runs.Select(r => r.Info.RunId));
            token = page.NextPageToken;
        }

        Assert.Equal(whole.Skip(5), rest);
    }

    [Fact]
    public virtual async Task SearchRunsAsync_ForeignOrForgedPageToken_ThrowsValidation()
    {
        var first = await Tracker.SearchRunsAsync(new RunSearchQuery { Filter = "metrics.auc > 0", MaxResults = 5 });
        Assert.NotNull(first.NextPageToken);

        await Assert.ThrowsAsync<MlOpsValidationException>(() => Tracker.SearchRunsAsync(new RunSearchQuery { Filter = "metrics.auc > 0.5", MaxResults = 5, PageToken = first.NextPageToken }));
        await Assert.ThrowsAsync<MlOpsValidationException>(() => Tracker.SearchRunsAsync(new RunSearchQuery { PageToken = "not-a-token" }));

        // A token of this search whose key does not fit the order (a text where a metric's number belongs).
        var ordered = new RunSearchQuery { Filter = "metrics.auc > 0", OrderBy = ["metrics.auc"], MaxResults = 5 };
        var token = (await Tracker.SearchRunsAsync(ordered)).NextPageToken!;
        var json = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(token));
        var forged = System.Text.RegularExpressions.Regex.Replace(json, "\"Number\":[^,}]+", "\"Text\":\"x\"");
        Assert.NotEqual(json, forged);
        await Assert.ThrowsAsync<MlOpsValidationException>(() => Tracker.SearchRunsAsync(ordered with { PageToken = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(forged)) }));
    }

    [Theory]
    [InlineData("metrics.auc >", 13)]
    [InlineData("metrics.auc > 'high'", 14)]
    [InlineData("params.model = 'sdca' AND", 25)]
    [InlineData("bogus.key = 'x'", 0)]
    [InlineData("params.model = 'unterminated", 15)]
    [InlineData("(metrics.auc > 0.5", 18)]
    [InlineData("params.model = 'a'; DROP TABLE runs", 18)]
    public virtual async Task SearchRunsAsync_MalformedFilter_ThrowsSyntaxErrorWithPosition(string filter, int position)
    {
        var error = await Assert.ThrowsAsync<FilterSyntaxException>(() => Tracker.SearchRunsAsync(new RunSearchQuery { Filter = filter }));

        Assert.Equal(position, error.Position);
    }

    [Fact]
    public virtual async Task SearchRunsAsync_DeletedExperiment_IsLeftOutUnlessNamed()
    {
        await Tracker.DeleteExperimentAsync("search-b");

        var all = await SearchAllAsync(new RunSearchQuery { MaxResults = 1000 });
        var named = await SearchAllAsync(new RunSearchQuery { ExperimentNames = ["search-b"], MaxResults = 1000 });

        Assert.Equal(_seeded.Count(s => s.Experiment == "search-a"), all.Count);
        Assert.Equal(_seeded.Count(s => s.Experiment == "search-b"), named.Count);
    }

    /// <summary>Every seeded run as the provider stores it, filtered and ordered by the reference definitions.</summary>
    protected async Task<List<string>> ReferenceAsync(RunFilter? filter, IReadOnlyList<RunOrdering> orderBy)
    {
        var runs = new List<Run>();
        foreach (var seed in _seeded)
        {
            runs.Add((await Tracker.GetRunAsync(seed.RunId))!);
        }

        return runs.Where(r => filter is null || filter.Matches(r)).Order(new RunOrderComparer(orderBy)).Select(r => r.Info.RunId).ToList();
    }

    /// <summary>Reads every page of a search.</summary>
    protected async Task<List<string>> SearchAllAsync(RunSearchQuery query)
    {
        var ids = new List<string>();
        string? token = null;
        do
        {
            var page = await Tracker.SearchRunsAsync(query with { PageToken = token });
            ids.AddRange(page.Runs.Select(r => r.Info.RunId));
            token = page.NextPageToken;
        }
        while (token is not null);

        return ids;
    }

    private sealed record SeededRun(string RunId, string Experiment, string Model, string L2, string? Team, double Auc);
}
