using System.Text.Json.Serialization;
using Microsoft.ML;
using QuickStart;

namespace AspNetCoreApi;

/// <summary>Trains the QuickStart's fraud classifier with ML.NET and exports it to ONNX.</summary>
internal static class SampleModels
{
    public static byte[] Train(string trainer, int seed)
    {
        var ml = new MLContext(seed);
        var data = ml.Data.LoadFromEnumerable(FraudData.Generate(rows: 2000, seed: seed));
        var pipeline = ml.Transforms.Concatenate("Features", nameof(Transaction.Amount), nameof(Transaction.Hour), nameof(Transaction.Distance), nameof(Transaction.MerchantRisk))
            .Append(ml.Transforms.NormalizeMinMax("Features"))
            .Append(trainer == "sdca"
                ? (IEstimator<ITransformer>)ml.BinaryClassification.Trainers.SdcaLogisticRegression()
                : ml.BinaryClassification.Trainers.LbfgsLogisticRegression());
        var model = pipeline.Fit(data);
        using var onnx = new MemoryStream();
        ml.Model.ConvertToOnnx(model, data, onnx);
        return onnx.ToArray();
    }
}

[JsonSerializable(typeof(Transaction))]
[JsonSerializable(typeof(FraudPrediction))]
[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
internal sealed partial class SampleJson : JsonSerializerContext;
