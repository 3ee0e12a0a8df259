using Microsoft.Extensions.DependencyInjection;
using MlOps.Sdk.Monitoring;
using MlOps.Sdk.Testing.Quality;
using MlOps.Sdk.Versioning;
using Xunit;

namespace ModelQualityTests;

/// <summary>
/// The tests a team writes before shipping a fraud model: good enough with confidence, no worse than production, fair to
/// every country, behaving as the business expects, and on data like its training data. The good model passes; each bad
/// one is caught, and the message says by what.
/// </summary>
public sealed class FraudModelTests(FraudModels models) : IClassFixture<FraudModels>
{
    [Fact]
    public async Task TheGoodModel_PassesEveryCheck()
    {
        await using var production = await ProductionAsync(models.Good);
        await using var candidate = await ModelUnderTest.FromFileAsync<Transaction, FraudScore>(models.Good);
        var evaluation = candidate.Host.EvaluateBinary(models.Holdout, t => t.Label, s => s.Probability);
        var reference = production.Host.EvaluateBinary(models.Holdout, t => t.Label, s => s.Probability);

        ShippingClaims(evaluation, reference).Verify();
        ModelAssert.Behaviour(candidate.Host, s => s.Probability)
            .Directional("more velocity is never less suspicious", models.Holdout.Take(500), t => t with { Velocity = t.Velocity + 2 }, ScoreDirection.NotDecreasing)
            .Invariant("the country is not read", models.Holdout.Take(500), t => t with { Country = "XX" }, epsilon: 0)
            .Verify();
    }

    [Fact]
    public async Task AModelTrainedOnShuffledLabels_IsCaught()
    {
        await using var production = await ProductionAsync(models.Good);
        await using var candidate = await ModelUnderTest.FromFileAsync<Transaction, FraudScore>(models.ShuffledLabels);

        var error = Assert.Throws<ModelAssertionException>(() => ShippingClaims(
            candidate.Host.EvaluateBinary(models.Holdout, t => t.Label, s => s.Probability),
            production.Host.EvaluateBinary(models.Holdout, t => t.Label, s => s.Probability)).Verify());

        Assert.Contains("ROC AUC", error.Message, StringComparison.Ordinal);
        Assert.Contains(error.Checks, c => c.Check == "ROC AUC" && !c.Passed);
    }

    [Fact]
    public async Task AModelThatRegressesAgainstProduction_IsCaught()
    {
        await using var production = await ProductionAsync(models.Good);
        await using var candidate = await ModelUnderTest.FromFileAsync<Transaction, FraudScore>(models.AmountOnly);
        var evaluation = candidate.Host.EvaluateBinary(models.Holdout, t => t.Label, s => s.Probability);
        var reference = production.Host.EvaluateBinary(models.Holdout, t => t.Label, s => s.Probability);

        var error = Assert.Throws<ModelAssertionException>(() => ModelAssert.That(evaluation).NoWorseThan(reference, Metric.RocAuc, margin: 0.01).Verify());

        Assert.Contains($"candidate {evaluation.RocAuc:0.####}, reference {reference.RocAuc:0.####}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AModelUnfairToOneCountry_IsCaught_NamingIt()
    {
        await using var candidate = await ModelUnderTest.FromFileAsync<Transaction, FraudScore>(models.NoNight);
        var evaluation = candidate.Host.EvaluateBinary(models.Holdout, t => t.Label, s => s.Probability);

        var error = Assert.Throws<ModelAssertionException>(() => ModelAssert.That(evaluation)
            .AtLeastPerSlice("country", t => t.Country, Metric.RocAuc, 0.75, minSliceSize: 200, confidence: 0.95)
            .Verify());

        Assert.Contains("worst 'FR'", error.Message, StringComparison.Ordinal);
    }

    /// <summary>What every candidate must show before it ships.</summary>
    private BinaryModelAssertions<Transaction> ShippingClaims(BinaryEvaluation<Transaction> candidate, BinaryEvaluation<Transaction> production) =>
        ModelAssert.That(candidate)
            .AtLeast(Metric.RocAuc, 0.80, confidence: 0.95)
            .AtMost(Metric.LogLoss, 0.55)
            .NoWorseThan(production, Metric.RocAuc, margin: 0.01)
            .AtLeastPerSlice("country", t => t.Country, Metric.RocAuc, 0.75, minSliceSize: 200, confidence: 0.95)
            .NoDriftFrom(ReferenceProfile.Build(models.Training, name => name is "Amount" or "Velocity" or "Night"));

    /// <summary>Production: the model behind <c>fraud@production</c> in the team's registry (in memory here).</summary>
    private static async Task<ModelUnderTest<Transaction, FraudScore>> ProductionAsync(string file)
    {
        var services = new ServiceCollection();
        services.AddMlOps().AddModelRegistry().UseInMemoryStores();
        await using var provider = services.BuildServiceProvider();
        var registry = provider.GetRequiredService<ModelRegistry>();
        var version = await registry.RegisterModelFileAsync("fraud", file);
        await registry.SetAliasAsync("fraud", "production", version.Number);
        return await ModelUnderTest.FromRegistryAsync<Transaction, FraudScore>(registry, "fraud@production");
    }
}
