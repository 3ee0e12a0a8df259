namespace MlOps.Sdk.Testing.Quality;

/// <summary>Starts model-quality assertions: <c>ModelAssert.That(evaluation).AtLeast(Metric.RocAuc, 0.9, confidence: 0.95).Verify();</c></summary>
public static class ModelAssert
{
    /// <summary>Assertions on a binary classifier's evaluation.</summary>
    public static BinaryModelAssertions<TIn> That<TIn>(BinaryEvaluation<TIn> evaluation) => new(evaluation ?? throw new ArgumentNullException(nameof(evaluation)));

    /// <summary>Assertions on how <paramref name="host"/>'s <paramref name="score"/> behaves: invariance, direction, expected labels, golden predictions.</summary>
    public static BehaviourAssertions<TIn, TOut> Behaviour<TIn, TOut>(Serving.ModelHost<TIn, TOut> host, Func<TOut, double> score)
        where TOut : new() => new(host ?? throw new ArgumentNullException(nameof(host)), score ?? throw new ArgumentNullException(nameof(score)));
}
