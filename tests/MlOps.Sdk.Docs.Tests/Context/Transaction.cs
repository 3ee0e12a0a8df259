using MlOps.Sdk.Monitoring;
using MlOps.Sdk.Serving;

namespace MlOps.Sdk.Docs.Tests.Context;

/// <summary>The row type of the docs' fraud model, as in samples/QuickStart.</summary>
public sealed class Transaction
{
    public string Id { get; set; } = "";

    public string CustomerId { get; set; } = "";

    public float Amount { get; set; }

    public float Hour { get; set; }

    public float Distance { get; set; }

    public float MerchantRisk { get; set; }

    public bool Label { get; set; }
}

/// <summary>The fraud model's output.</summary>
public sealed class FraudScore
{
    [ModelOutput("PredictedLabel")]
    public bool IsFraud { get; set; }

    [ModelOutput("Probability")]
    public float Probability { get; set; }
}

/// <summary>A retrain hook a host would write.</summary>
public sealed class MyRetrainHook : IRetrainHook<Transaction>
{
    public Task RetrainAsync(RetrainRequest<Transaction> request, CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>The signed-in user of a web host.</summary>
public sealed class SignedInUser : IActorIdentity
{
    public string CurrentActor => "alice";
}

/// <summary>The application's source-generated JSON for the docs' row and output types.</summary>
[System.Text.Json.Serialization.JsonSerializable(typeof(Transaction))]
[System.Text.Json.Serialization.JsonSerializable(typeof(FraudScore))]
public sealed partial class AppJson : System.Text.Json.Serialization.JsonSerializerContext;
