using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MlOps.Sdk.Storage.Conformance;
using MlOps.Sdk.Versioning.Onnx;
using Xunit;

namespace MlOps.Sdk.Versioning.Tests.Onnx;

public sealed class OnnxSignatureReaderTests(MlNetModelFixture mlNet) : IClassFixture<MlNetModelFixture>
{
    [Fact]
    public void Read_MlNetExport_MatchesWhatOnnxRuntimeReports()
    {
        var signature = OnnxSignatureReader.Read(new MemoryStream(mlNet.Bytes));

        using var session = new InferenceSession(mlNet.Bytes);
        AssertSameAsRuntime(signature.Inputs, session.InputMetadata);
        AssertSameAsRuntime(signature.Outputs, session.OutputMetadata);
        Assert.Equal(["A", "B", "C", "D"], signature.Inputs.Select(i => i.Name).Take(4));
        Assert.Contains(signature.Outputs, o => o.Name == "Probability.output" && o.ElementType == "float");
        Assert.Contains(signature.Outputs, o => o.Name == "PredictedLabel.output" && o.ElementType == "bool");
    }

    [Theory]
    [InlineData(OnnxModels.Float, new object[] { "batch", 4 })]
    [InlineData(OnnxModels.Int64, new object[] { 1, 3, 224, 224 })]
    [InlineData(OnnxModels.Float, new object[] { })]
    public void Read_HandWrittenModel_MatchesWhatOnnxRuntimeReports(int elementType, object[] dims)
    {
        var bytes = OnnxModels.Identity(elementType, dims);

        var signature = OnnxSignatureReader.Read(new MemoryStream(bytes));

        using var session = new InferenceSession(bytes);
        AssertSameAsRuntime(signature.Inputs, session.InputMetadata);
        AssertSameAsRuntime(signature.Outputs, session.OutputMetadata);
    }

    public static TheoryData<string> TestModels() => [.. Models().Keys];

    [Theory]
    [MemberData(nameof(TestModels))]
    public void Read_EveryModelTheTestsWrite_MatchesWhatOnnxRuntimeReports(string name)
    {
        var bytes = Models()[name];

        var signature = OnnxSignatureReader.Read(new MemoryStream(bytes));

        using var session = new InferenceSession(bytes);
        AssertSameAsRuntime(signature.Inputs, session.InputMetadata);
        AssertSameAsRuntime(signature.Outputs, session.OutputMetadata);
    }

    [Fact]
    public void Read_ANonSeekableStream_ReadsItOnce_AndLeavesItOpen()
    {
        using var pipe = new NonSeekable(mlNet.Bytes);

        var signature = OnnxSignatureReader.Read(pipe);

        Assert.Equal(OnnxSignatureReader.Read(new MemoryStream(mlNet.Bytes)), signature);
        Assert.Equal(mlNet.Bytes.Length, pipe.BytesRead);
        Assert.True(pipe.CanRead);
    }

    [Fact]
    public void Read_Garbage_TruncationsAndFlippedBytes_OnlyEverThrowOnnxFormatException()
    {
        var model = mlNet.Bytes;
        var random = new Random(11);
        var readable = 0;
        for (var i = 0; i < 3000; i++)
        {
            var bytes = (i % 3) switch
            {
                0 => model[..random.Next(model.Length)],
                1 => Flip(model, random),
                _ => Enumerable.Range(0, random.Next(1, 300)).Select(_ => (byte)random.Next(256)).ToArray(),
            };

            try
            {
                OnnxSignatureReader.Read(new MemoryStream(bytes));
                readable++;
            }
            catch (OnnxFormatException)
            {
            }
        }

        Assert.InRange(readable, 1, 2999);
    }

    [Fact]
    public void Read_NoGraph_Throws()
    {
        Assert.Throws<OnnxFormatException>(() => OnnxSignatureReader.Read(new MemoryStream([0x08, 0x08])));
        Assert.Throws<OnnxFormatException>(() => OnnxSignatureReader.Read(new MemoryStream([])));
    }

    private static Dictionary<string, byte[]> Models() => new()
    {
        ["identity-float-batch"] = OnnxModels.Identity(OnnxModels.Float, ["batch", 4]),
        ["identity-int64-image"] = OnnxModels.Identity(OnnxModels.Int64, [1, 3, 224, 224]),
        ["identity-scalar"] = OnnxModels.Identity(OnnxModels.Float, []),
        ["identity-extra-outputs"] = OnnxModels.Identity(OnnxModels.Float, ["batch", 2], ["Z", "Q"]),
        ["identity-initializer-as-input"] = OnnxModels.Identity(OnnxModels.Float, ["batch", 2], initializerAsInput: true),
        ["add-constant"] = OnnxModels.AddConstant(1f, 4),
        ["mlp"] = OnnxModels.Mlp(10, [32, 16]),
        ["fails-on-run"] = OnnxModels.FailsOnRun(),
    };

    private static byte[] Flip(byte[] model, Random random)
    {
        var copy = model.ToArray();
        for (var n = random.Next(1, 4); n > 0; n--)
        {
            copy[random.Next(copy.Length)] ^= (byte)random.Next(1, 256);
        }

        return copy;
    }

    private static void AssertSameAsRuntime(IReadOnlyList<TensorSignature> ours, IReadOnlyDictionary<string, NodeMetadata> runtime)
    {
        Assert.Equal(runtime.Keys.Order(StringComparer.Ordinal), ours.Select(o => o.Name).Order(StringComparer.Ordinal));
        foreach (var value in ours)
        {
            var meta = runtime[value.Name];
            Assert.Equal(meta.Dimensions.Length, value.Shape.Count);
            for (var d = 0; d < value.Shape.Count; d++)
            {
                // The runtime may refine a declared free dimension by shape inference; a declared size must agree.
                if (value.Shape[d].Size is { } size)
                {
                    Assert.Equal(size, meta.Dimensions[d]);
                }
                if (value.Shape[d].Symbol is { } symbol)
                {
                    Assert.Equal(meta.SymbolicDimensions[d], symbol);
                }
            }

            Assert.Equal(RuntimeTypeName(meta), value.ElementType);
        }
    }

    private static string RuntimeTypeName(NodeMetadata meta) => meta.ElementDataType switch
    {
        TensorElementType.Float => "float",
        TensorElementType.Double => "double",
        TensorElementType.Int64 => "int64",
        TensorElementType.Int32 => "int32",
        TensorElementType.Bool => "bool",
        TensorElementType.String => "string",
        var other => other.ToString().ToLowerInvariant(),
    };

    /// <summary>A stream that can only be read forward, as a network body or a pipe is.</summary>
    private sealed class NonSeekable(byte[] content) : Stream
    {
        private readonly MemoryStream _inner = new(content);

        public long BytesRead { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = _inner.Read(buffer, offset, count);
            BytesRead += n;
            return n;
        }

        public override void Flush() { }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
