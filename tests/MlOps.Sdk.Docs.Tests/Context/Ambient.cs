using Microsoft.Extensions.DependencyInjection;
using MlOps.Sdk.Monitoring;
using MlOps.Sdk.Serving;
using MlOps.Sdk.Tracking;
using MlOps.Sdk.Versioning;

#pragma warning disable IDE1006, CA1707, CA1716 // The docs' variable names, spelled as the docs spell them.

namespace MlOps.Sdk.Docs.Tests.Context;

/// <summary>
/// The variables the docs' snippets take as given, typed as a reader's app would have them. The snippets are compiled,
/// never run: these values are never read.
/// </summary>
public static class Ambient
{
    public static string[] args { get; } = [];

    public static IServiceCollection services { get; } = new ServiceCollection();

    public static IServiceProvider provider { get; } = new ServiceCollection().BuildServiceProvider();

    public static CancellationToken ct => CancellationToken.None;

    public static ExperimentTracker tracker => null!;

    public static ActiveRun run => null!;

    public static ModelRegistry registry => null!;

    public static IDatasetRegistry datasets => null!;

    public static ILineage lineage => null!;

    public static ModelHost<Transaction, FraudScore> host => null!;

    public static Transaction tx { get; } = new();

    public static IReadOnlyList<Transaction> trainingRows { get; } = [];

    public static IRetrainHook<Transaction> myHook => null!;

    public static Stream onnxStream => Stream.Null;

    public static ContentDigest datasetDigest => default;

    public static float score => 0;

    public static bool predicted => false;

    public static bool chargeback => false;

    public static IEnumerable<LegacyRun> history => [];
}

/// <summary>A run of another tracking system, as the import example reads it.</summary>
public sealed record LegacyRun(string Name, DateTimeOffset Started, DateTimeOffset Ended, IReadOnlyDictionary<string, string> Params, IReadOnlyDictionary<string, double> Metrics);
