using Microsoft.ML.OnnxRuntime;
using MlOps.Sdk.Serving.Hosting;
using MlOps.Sdk.Storage.Conformance;
using MlOps.Sdk.Versioning.Onnx;
using Xunit;

namespace MlOps.Sdk.Serving.Tests;

public sealed class OutputPrunerTests(MlNetModelFixture mlNet) : IClassFixture<MlNetModelFixture>
{
    [Fact]
    public void Prune_MlNetExport_KeepsOnlyTheWantedOutput_AndOnnxRuntimeAgreesWithTheSignatureReader()
    {
        var pruned = OutputPruner.Prune(mlNet.Bytes, ["Probability.output"]);

        using var session = new InferenceSession(pruned);
        var signature = OnnxSignatureReader.Read(new MemoryStream(pruned));
        Assert.Equal(["Probability.output"], session.OutputMetadata.Keys);
        Assert.Equal(["Probability.output"], signature.Outputs.Select(o => o.Name));
        Assert.Equal(session.InputMetadata.Keys.Order(StringComparer.Ordinal), signature.Inputs.Select(i => i.Name).Order(StringComparer.Ordinal));
        Assert.DoesNotContain("Label", signature.Inputs.Select(i => i.Name));
        Assert.True(pruned.Length < mlNet.Bytes.Length);
    }

    [Fact]
    public void Prune_WhenEveryOutputIsWanted_ReturnsTheModelItself()
    {
        var model = OnnxModels.Identity(OnnxModels.Float, ["batch", 2], ["Z"]);

        Assert.Same(model, OutputPruner.Prune(model, ["Y", "Z"]));
        Assert.Equal(["Y", "Z"], OutputPruner.OutputNames(model));
    }

    [Fact]
    public void Prune_Garbage_TruncationsAndFlippedBytes_OnlyEverThrowOnnxFormatException()
    {
        var random = new Random(12);
        var pruned = 0;
        for (var i = 0; i < 3000; i++)
        {
            var bytes = (i % 3) switch
            {
                0 => mlNet.Bytes[..random.Next(mlNet.Bytes.Length)],
                1 => Flip(mlNet.Bytes, random),
                _ => Enumerable.Range(0, random.Next(1, 300)).Select(_ => (byte)random.Next(256)).ToArray(),
            };

            try
            {
                OutputPruner.Prune(bytes, ["Probability.output"]);
                pruned++;
            }
            catch (OnnxFormatException)
            {
            }
        }

        Assert.InRange(pruned, 1, 2999);
    }

    private static byte[] Flip(byte[] model, Random random)
    {
        var copy = model.ToArray();
        for (var n = random.Next(1, 4); n > 0; n--)
        {
            copy[random.Next(copy.Length)] ^= (byte)random.Next(1, 256);
        }

        return copy;
    }
}
