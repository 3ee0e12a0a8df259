using Microsoft.ML;
using MlOps.Sdk.Monitoring;
using MlOps.Sdk.Versioning;

namespace QuickStart;

/// <summary>
/// Retrains when drift fires: the training rows plus the drifted window (its labels arrive later: here, from the
/// generator), exported to ONNX, registered, and pointed to by `challenger`, which the host shadows.
/// </summary>
internal sealed class RetrainHook(MLContext ml, IEstimator<ITransformer> features, IReadOnlyList<Transaction> training, ModelRegistry registry) : IRetrainHook<Transaction>
{
    public ModelVersion? Registered { get; private set; }

    public async Task RetrainAsync(RetrainRequest<Transaction> request, CancellationToken cancellationToken)
    {
        var labelled = request.Window.Select(t => new Transaction { Amount = t.Amount, Hour = t.Hour, Distance = t.Distance, MerchantRisk = t.MerchantRisk, Label = FraudData.Label(t) });
        var data = ml.Data.LoadFromEnumerable(training.Concat(labelled).ToList());
        var model = features.Append(ml.BinaryClassification.Trainers.SdcaLogisticRegression()).Fit(data);
        using var onnx = new MemoryStream();
        ml.Model.ConvertToOnnx(model, data, onnx);
        onnx.Position = 0;
        Registered = await registry.RegisterModelAsync("fraud", onnx, cancellationToken: cancellationToken);
        await registry.SetAliasAsync("fraud", "challenger", Registered.Number, $"retrained after '{request.Alert.Rule}' on {request.Window.Count} drifted rows", cancellationToken);
    }
}
