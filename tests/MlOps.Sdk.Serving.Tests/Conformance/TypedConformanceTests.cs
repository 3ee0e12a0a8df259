using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.ML.OnnxRuntime;
using MlOps.Sdk.Versioning;
using Xunit;

namespace MlOps.Sdk.Serving.Tests.Conformance;

/// <summary>
/// Every model of the conformance set through the typed host, with the property types a .NET caller would choose
/// (multi-dimensional arrays, <see cref="Tensor{T}"/>, <see cref="Half"/>, strings, dictionaries for ZipMap): outputs equal
/// to ONNX Runtime's own.
/// </summary>
public sealed class TypedConformanceTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Cnn_FreeBatchHeightAndWidth_AsMultiDimensionalArrays(int index)
    {
        var (@case, runtime) = Case("cnn", index);
        var served = await PredictAsync<CnnIn, CnnOut>(@case, new CnnIn { Image = (float[,,,])Md<float>(@case.Inputs["image"]) });

        Same(runtime["features"], served.Features!);
        Same(runtime["classes"], served.Classes!);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task Cnn_AsSystemNumericsTensors(int index)
    {
        var (@case, runtime) = Case("cnn", index);
        var image = @case.Inputs["image"];
        var served = await PredictAsync<CnnTensorIn, CnnTensorOut>(@case, new CnnTensorIn { Image = Tensor.Create(image.AsSpan<float>().ToArray(), image.Shape.Select(d => (nint)d).ToArray()) });

        Assert.Equal(runtime["features"].Shape, served.Features!.Lengths.ToArray().Select(l => (long)l));
        Assert.Equal(runtime["features"].AsSpan<float>().ToArray(), Flatten(served.Features));
        Assert.Equal(runtime["classes"].AsSpan<float>().ToArray(), Flatten(served.Classes!));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Lstm_VariableLengthSequences(int index)
    {
        var (@case, runtime) = Case("lstm", index);
        var served = await PredictAsync<LstmIn, LstmOut>(@case, new LstmIn { Tokens = (float[,,])Md<float>(@case.Inputs["tokens"]) });

        Same(runtime["steps"], served.Steps!);
        Same(runtime["last"], served.Last!);
    }

    [Fact]
    public async Task Lstm_RowsOfOneLength_StackIntoOneBatch()
    {
        var (@case, runtime) = Case("lstm", 1); // three sequences of two steps
        var tokens = (float[,,])Md<float>(@case.Inputs["tokens"]);
        var rows = Enumerable.Range(0, 3).Select(r => new LstmRowIn { Tokens = Row(tokens, r) }).ToArray();
        await using var provider = await ServeAsync<LstmRowIn, LstmRowOut>(@case.ModelPath);

        var served = provider.GetRequiredService<ModelHost<LstmRowIn, LstmRowOut>>().Predict(rows);

        Assert.Equal(runtime["last"].AsSpan<float>().ToArray(), served.SelectMany(s => s.Last!));
        Assert.Equal(runtime["steps"].AsSpan<float>().ToArray(), served.SelectMany(s => s.Steps!.Cast<float>()));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task Fp16Export_AsHalf(int index)
    {
        var (@case, runtime) = Case("mlp_fp16", index);
        var served = await PredictAsync<HalfIn, HalfOut>(@case, new HalfIn { X = (Half[,])Md<Half>(@case.Inputs["x"]) });

        Same(runtime["y"], served.Y!);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task DynamicallyQuantized_ReadsItsUInt8Tensor(int index)
    {
        var (@case, runtime) = Case("quantized", index);
        var served = await PredictAsync<QuantizedIn, QuantizedOut>(@case, new QuantizedIn { X = (float[,])Md<float>(@case.Inputs["x"]) });

        Same(runtime["y"], served.Y!);
        Same(runtime["x_q"], served.Quantized!);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task StaticallyQuantizedByPyTorch(int index)
    {
        var (@case, runtime) = Case("quantized_static", index);
        var served = await PredictAsync<QuantizedIn, QuantizedStaticOut>(@case, new QuantizedIn { X = (float[,])Md<float>(@case.Inputs["x"]) });

        Same(runtime["y"], served.Y!);
    }

    [Fact]
    public async Task TokenisedText_StringArraysOfOneLength_StackIntoOneBatch()
    {
        var (@case, runtime) = Case("type_string", 1); // three rows of seven tokens
        var rows = @case.Inputs["x"].AsSpan<string>().ToArray().Chunk(7).Select(tokens => new TokensIn { X = tokens }).ToArray();
        await using var provider = await ServeAsync<TokensIn, TokensOut>(@case.ModelPath);

        var served = provider.GetRequiredService<ModelHost<TokensIn, TokensOut>>().Predict(rows);

        Assert.Equal(runtime["y"].AsSpan<string>().ToArray(), served.SelectMany(s => s.Y!));
        Assert.Equal(runtime["reversed"].AsSpan<string>().ToArray(), served.SelectMany(s => s.Reversed!));
    }

    [Theory]
    [InlineData("float")]
    [InlineData("double")]
    [InlineData("float16")]
    [InlineData("bfloat16")]
    [InlineData("int8")]
    [InlineData("int16")]
    [InlineData("int32")]
    [InlineData("int64")]
    [InlineData("uint8")]
    [InlineData("uint16")]
    [InlineData("uint32")]
    [InlineData("uint64")]
    [InlineData("bool")]
    [InlineData("string")]
    public Task EveryElementType(string kind) => kind switch
    {
        "float" => ElementTypeAsync<float>(kind),
        "double" => ElementTypeAsync<double>(kind),
        "float16" => ElementTypeAsync<Half>(kind),
        "bfloat16" => ElementTypeAsync<BFloat16>(kind),
        "int8" => ElementTypeAsync<sbyte>(kind),
        "int16" => ElementTypeAsync<short>(kind),
        "int32" => ElementTypeAsync<int>(kind),
        "int64" => ElementTypeAsync<long>(kind),
        "uint8" => ElementTypeAsync<byte>(kind),
        "uint16" => ElementTypeAsync<ushort>(kind),
        "uint32" => ElementTypeAsync<uint>(kind),
        "uint64" => ElementTypeAsync<ulong>(kind),
        "bool" => ElementTypeAsync<bool>(kind),
        _ => ElementTypeAsync<string>(kind),
    };

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task Resize_ScalesAreAControlInput(int index)
    {
        var (@case, runtime) = Case("resize", index);
        var served = await PredictAsync<ResizeIn, ResizeOut>(@case, new ResizeIn { Image = (float[,,,])Md<float>(@case.Inputs["image"]), Scales = @case.Inputs["scales"].AsSpan<float>().ToArray() });

        Same(runtime["resized"], served.Resized!);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task Expand_ShapeIsAControlInput(int index)
    {
        var (@case, runtime) = Case("expand", index);
        var served = await PredictAsync<ExpandIn, ExpandOut>(@case, new ExpandIn { Row = (float[,])Md<float>(@case.Inputs["row"]), Shape = @case.Inputs["shape"].AsSpan<long>().ToArray() });

        Same(runtime["grid"], served.Grid!);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task AnOutputWhoseFirstDimensionIsNotTheBatch_IsSizedByTheRun(int index)
    {
        // Every input has a fixed size, so single calls run on bound buffers; the output [R, 3] takes R from the shape
        // input, so it must not be allocated ahead for one row.
        var (@case, runtime) = Case("expand_rows", index);
        var served = await PredictAsync<ExpandRowsIn, ExpandRowsOut>(@case, new ExpandRowsIn { Row = @case.Inputs["row"].AsSpan<float>().ToArray(), Shape = @case.Inputs["shape"].AsSpan<long>().ToArray() });

        Assert.Equal(runtime["grid"].AsSpan<float>().ToArray(), served.Grid);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task TopK_OutputSizeKnownOnlyAfterTheRun(int index)
    {
        var (@case, runtime) = Case("topk", index);
        var served = await PredictAsync<TopKIn, TopKOut>(@case, new TopKIn { Scores = (float[,])Md<float>(@case.Inputs["scores"]), K = @case.Inputs["k"].AsSpan<long>().ToArray() });

        Same(runtime["values"], served.Values!);
        Same(runtime["indices"], served.Indices!);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task ZeroSizeDimension(int index)
    {
        var (@case, runtime) = Case("zero_size", index);
        var served = await PredictAsync<ZeroSizeIn, ZeroSizeOut>(@case, new ZeroSizeIn { Empty = (float[,])Md<float>(@case.Inputs["empty"]), Features = (float[,])Md<float>(@case.Inputs["features"]) });

        Same(runtime["joined"], served.Joined!);
    }

    [Fact]
    public async Task ZeroSizeDimension_AsFlatRows()
    {
        var (@case, runtime) = Case("zero_size", 1); // two rows: [2, 0] and [2, 3]
        var features = @case.Inputs["features"].AsSpan<float>().ToArray();
        var rows = Enumerable.Range(0, 2).Select(r => new ZeroSizeRowIn { Empty = [], Features = features[(r * 3)..((r + 1) * 3)] }).ToArray();
        await using var provider = await ServeAsync<ZeroSizeRowIn, ZeroSizeRowOut>(@case.ModelPath);
        var host = provider.GetRequiredService<ModelHost<ZeroSizeRowIn, ZeroSizeRowOut>>();

        Assert.Equal(runtime["joined"].AsSpan<float>().ToArray(), host.Predict(rows).SelectMany(r => r.Joined!));
        Assert.Equal(features[..3], host.Predict(rows[0]).Joined);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task ZipMap_Int64Keys_OneDictionaryPerRow(int index)
    {
        var (@case, runtime) = Case("zipmap_int64", index);
        var rows = Rows(@case.Inputs["x"]).Select(r => new ZipMapIn { X = r }).ToArray();
        await using var provider = await ServeAsync<ZipMapIn, ZipMapInt64Out>(@case.ModelPath);

        var served = provider.GetRequiredService<ModelHost<ZipMapIn, ZipMapInt64Out>>().Predict(rows);
        var single = provider.GetRequiredService<ModelHost<ZipMapIn, ZipMapInt64Out>>().Predict(rows[0]);

        Assert.Equal(runtime["label"].AsSpan<long>().ToArray(), served.Select(s => s.Label));
        Assert.Equal(runtime["scores"].AsMaps<long>().Select(m => m.OrderBy(p => p.Key).ToList()), served.Select(s => s.Scores!.OrderBy(p => p.Key).ToList()));
        Assert.Equal(runtime["scores"].AsMaps<long>()[0].OrderBy(p => p.Key), single.Scores!.OrderBy(p => p.Key));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task ZipMap_StringKeys_OneDictionaryPerRow(int index)
    {
        var (@case, runtime) = Case("zipmap_string", index);
        var rows = Rows(@case.Inputs["x"]).Select(r => new ZipMapIn { X = r }).ToArray();
        await using var provider = await ServeAsync<ZipMapIn, ZipMapStringOut>(@case.ModelPath);

        var served = provider.GetRequiredService<ModelHost<ZipMapIn, ZipMapStringOut>>().Predict(rows);

        Assert.Equal(runtime["label"].AsSpan<string>().ToArray(), served.Select(s => s.Label));
        Assert.Equal(runtime["scores"].AsMaps<string>().Select(m => m.OrderBy(p => p.Key).ToList()), served.Select(s => s.Scores!.OrderBy(p => p.Key).ToList()));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task MlNetExport(int index)
    {
        var (@case, runtime) = Case("mlnet", index);
        var column = (string name) => @case.Inputs[name].AsSpan<float>().ToArray();
        var (a, b, c, d, label) = (column("A"), column("B"), column("C"), column("D"), @case.Inputs["Label"].AsSpan<bool>().ToArray());
        var rows = Enumerable.Range(0, a.Length).Select(i => new MlNetIn { A = a[i], B = b[i], C = c[i], D = d[i], Label = label[i] }).ToArray();
        await using var provider = await ServeAsync<MlNetIn, MlNetOut>(@case.ModelPath);

        var served = provider.GetRequiredService<ModelHost<MlNetIn, MlNetOut>>().Predict(rows);

        Assert.Equal(runtime["Score.output"].AsSpan<float>().ToArray(), served.Select(s => s.Score));
        Assert.Equal(runtime["Probability.output"].AsSpan<float>().ToArray(), served.Select(s => s.Probability));
        Assert.Equal(runtime["PredictedLabel.output"].AsSpan<bool>().ToArray(), served.Select(s => s.PredictedLabel));
    }

    [Fact]
    public async Task FlatArrayForTwoFreeSizes_IsRefusedWithTheTypesToUse()
    {
        await using var provider = await ServeAsync<FlatCnnIn, CnnOut>(Case("cnn", 0).Case.ModelPath, start: false);
        var host = provider.GetRequiredService<ModelHost<FlatCnnIn, CnnOut>>();
        ModelLoadFailure? failure = null;
        host.LoadFailed += (_, f) => failure = f;

        Assert.False(await host.SwapToAsync((await provider.GetRequiredService<ModelRegistry>().GetVersionAsync("model", 1))!));

        var error = Assert.IsType<ModelMappingException>(failure!.Error);
        Assert.Contains("cannot say its 2 free sizes", error.Message, StringComparison.Ordinal);
        Assert.Contains("Single[,,,]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnImageOfTheWrongRank_IsAModelInputException()
    {
        var (@case, _) = Case("cnn", 0);
        await using var provider = await ServeAsync<CnnIn, CnnOut>(@case.ModelPath);

        var error = Assert.Throws<ModelInputException>(() => provider.GetRequiredService<ModelHost<CnnIn, CnnOut>>().Predict(new CnnIn { Image = new float[1, 4, 8, 8] }));
        Assert.Equal("image", error.Input);
    }

    private static async Task ElementTypeAsync<T>(string kind)
    {
        foreach (var index in new[] { 0, 1 })
        {
            var (@case, runtime) = Case($"type_{kind}", index);
            var x = @case.Inputs["x"];
            var served = await PredictAsync<TypeIn<T>, TypeOut<T>>(@case, new TypeIn<T> { X = typeof(T) == typeof(BFloat16) ? Bf16<T>(x) : (T[,])Md<T>(x) });

            if (typeof(T) == typeof(BFloat16))
            {
                Assert.Equal(runtime["y"].AsSpan<ushort>().ToArray(), served.Y!.Cast<BFloat16>().Select(b => b.value));
                Assert.Equal(runtime["reversed"].AsSpan<ushort>().ToArray(), served.Reversed!.Cast<BFloat16>().Select(b => b.value));
            }
            else
            {
                Same(runtime["y"], served.Y!);
                Same(runtime["reversed"], served.Reversed!);
            }
        }
    }

    private static T[,] Bf16<T>(TensorValue bits)
    {
        var values = new BFloat16[bits.Shape[0], bits.Shape[1]];
        MemoryMarshal.Cast<ushort, BFloat16>(bits.AsSpan<ushort>()).CopyTo(MemoryMarshal.CreateSpan(ref values[0, 0], values.Length));
        return (T[,])(object)values;
    }

    private static (ConformanceCase Case, NamedTensors Runtime) Case(string model, int index)
    {
        var @case = UntypedConformanceTests.ConformanceCase($"{model}/{index}");
        using var session = new InferenceSession(@case.ModelPath);
        return (@case, RawRuntime.Run(session, @case.Inputs));
    }

    private static async Task<TOut> PredictAsync<TIn, TOut>(ConformanceCase @case, TIn input)
        where TOut : new()
    {
        await using var provider = await ServeAsync<TIn, TOut>(@case.ModelPath);
        return provider.GetRequiredService<ModelHost<TIn, TOut>>().Predict(input);
    }

    private static async Task<ServiceProvider> ServeAsync<TIn, TOut>(string modelPath, bool start = true)
        where TOut : new()
    {
        var services = new ServiceCollection();
        services.AddMlOps().AddModelRegistry().UseInMemoryStores().AddModelHost<TIn, TOut>("model", h => h.PinVersion(1));
        var provider = services.BuildServiceProvider();
        await provider.GetRequiredService<ModelRegistry>().RegisterModelFileAsync("model", modelPath);
        if (start)
        {
            await provider.GetRequiredService<ModelHost<TIn, TOut>>().StartAsync();
        }

        return provider;
    }

    /// <summary>A tensor as a .NET array of its rank.</summary>
    private static Array Md<T>(TensorValue value)
    {
        var array = Array.CreateInstance(typeof(T), value.Shape.Select(d => (int)d).ToArray());
        value.AsSpan<T>().CopyTo(MemoryMarshal.CreateSpan(ref Unsafe.As<byte, T>(ref MemoryMarshal.GetArrayDataReference(array)), array.Length));
        return array;
    }

    private static void Same(TensorValue expected, Array actual)
    {
        Assert.Equal(expected.Shape, Enumerable.Range(0, actual.Rank).Select(d => (long)actual.GetLength(d)));
        switch (expected.DataType)
        {
            case TensorDataType.Float32: Assert.Equal(expected.AsSpan<float>().ToArray(), actual.Cast<float>()); break;
            case TensorDataType.Float64: Assert.Equal(expected.AsSpan<double>().ToArray(), actual.Cast<double>()); break;
            case TensorDataType.Float16: Assert.Equal(expected.AsSpan<Half>().ToArray(), actual.Cast<Half>()); break;
            case TensorDataType.Int8: Assert.Equal(expected.AsSpan<sbyte>().ToArray(), actual.Cast<sbyte>()); break;
            case TensorDataType.Int16: Assert.Equal(expected.AsSpan<short>().ToArray(), actual.Cast<short>()); break;
            case TensorDataType.Int32: Assert.Equal(expected.AsSpan<int>().ToArray(), actual.Cast<int>()); break;
            case TensorDataType.Int64: Assert.Equal(expected.AsSpan<long>().ToArray(), actual.Cast<long>()); break;
            case TensorDataType.UInt8: Assert.Equal(expected.AsSpan<byte>().ToArray(), actual.Cast<byte>()); break;
            case TensorDataType.UInt16: Assert.Equal(expected.AsSpan<ushort>().ToArray(), actual.Cast<ushort>()); break;
            case TensorDataType.UInt32: Assert.Equal(expected.AsSpan<uint>().ToArray(), actual.Cast<uint>()); break;
            case TensorDataType.UInt64: Assert.Equal(expected.AsSpan<ulong>().ToArray(), actual.Cast<ulong>()); break;
            case TensorDataType.Bool: Assert.Equal(expected.AsSpan<bool>().ToArray(), actual.Cast<bool>()); break;
            case TensorDataType.String: Assert.Equal(expected.AsSpan<string>().ToArray(), actual.Cast<string>()); break;
            default: Assert.Fail($"{expected.DataType} is not compared here"); break;
        }
    }

    private static float[] Flatten(Tensor<float> tensor)
    {
        var values = new float[tensor.FlattenedLength];
        tensor.FlattenTo(values);
        return values;
    }

    private static float[,] Row(float[,,] tokens, int row)
    {
        var one = new float[tokens.GetLength(1), tokens.GetLength(2)];
        for (var t = 0; t < one.GetLength(0); t++)
        {
            for (var f = 0; f < one.GetLength(1); f++)
            {
                one[t, f] = tokens[row, t, f];
            }
        }

        return one;
    }

    private static IEnumerable<float[]> Rows(TensorValue matrix) => matrix.AsSpan<float>().ToArray().Chunk((int)matrix.Shape[1]);

    public sealed class CnnIn
    {
        [ModelInput("image")]
        public float[,,,]? Image { get; set; }
    }

    public sealed class CnnOut
    {
        [ModelOutput("features")]
        public float[,,,]? Features { get; set; }

        [ModelOutput("classes")]
        public float[,]? Classes { get; set; }
    }

    public sealed class FlatCnnIn
    {
        [ModelInput("image")]
        public float[]? Image { get; set; }
    }

    public sealed class CnnTensorIn
    {
        [ModelInput("image")]
        public Tensor<float>? Image { get; set; }
    }

    public sealed class CnnTensorOut
    {
        [ModelOutput("features")]
        public Tensor<float>? Features { get; set; }

        [ModelOutput("classes")]
        public Tensor<float>? Classes { get; set; }
    }

    public sealed class LstmIn
    {
        [ModelInput("tokens")]
        public float[,,]? Tokens { get; set; }
    }

    public sealed class LstmOut
    {
        [ModelOutput("steps")]
        public float[,,]? Steps { get; set; }

        [ModelOutput("last")]
        public float[,]? Last { get; set; }
    }

    public sealed class LstmRowIn
    {
        [ModelInput("tokens")]
        public float[,]? Tokens { get; set; }
    }

    public sealed class LstmRowOut
    {
        [ModelOutput("steps")]
        public float[,]? Steps { get; set; }

        [ModelOutput("last")]
        public float[]? Last { get; set; }
    }

    public sealed class HalfIn
    {
        [ModelInput("x")]
        public Half[,]? X { get; set; }
    }

    public sealed class HalfOut
    {
        [ModelOutput("y")]
        public Half[,]? Y { get; set; }
    }

    public sealed class QuantizedIn
    {
        [ModelInput("x")]
        public float[,]? X { get; set; }
    }

    public sealed class QuantizedOut
    {
        [ModelOutput("y")]
        public float[,]? Y { get; set; }

        [ModelOutput("x_q")]
        public byte[,]? Quantized { get; set; }
    }

    public sealed class QuantizedStaticOut
    {
        [ModelOutput("y")]
        public float[,]? Y { get; set; }
    }

    public sealed class TokensIn
    {
        [ModelInput("x")]
        public string[]? X { get; set; }
    }

    public sealed class TokensOut
    {
        [ModelOutput("y")]
        public string[]? Y { get; set; }

        [ModelOutput("reversed")]
        public string[]? Reversed { get; set; }
    }

    public sealed class TypeIn<T>
    {
        [ModelInput("x")]
        public T[,]? X { get; set; }
    }

    public sealed class TypeOut<T>
    {
        [ModelOutput("y")]
        public T[,]? Y { get; set; }

        [ModelOutput("reversed")]
        public T[,]? Reversed { get; set; }
    }

    public sealed class ResizeIn
    {
        [ModelInput("image")]
        public float[,,,]? Image { get; set; }

        [ModelInput("scales")]
        public float[]? Scales { get; set; }
    }

    public sealed class ResizeOut
    {
        [ModelOutput("resized")]
        public float[,,,]? Resized { get; set; }
    }

    public sealed class ExpandIn
    {
        [ModelInput("row")]
        public float[,]? Row { get; set; }

        [ModelInput("shape")]
        public long[]? Shape { get; set; }
    }

    public sealed class ExpandOut
    {
        [ModelOutput("grid")]
        public float[,]? Grid { get; set; }
    }

    public sealed class ExpandRowsIn
    {
        [ModelInput("row")]
        public float[]? Row { get; set; }

        [ModelInput("shape")]
        public long[]? Shape { get; set; }
    }

    public sealed class ExpandRowsOut
    {
        [ModelOutput("grid")]
        public float[]? Grid { get; set; }
    }

    public sealed class TopKIn
    {
        [ModelInput("scores")]
        public float[,]? Scores { get; set; }

        [ModelInput("k")]
        public long[]? K { get; set; }
    }

    public sealed class TopKOut
    {
        [ModelOutput("values")]
        public float[,]? Values { get; set; }

        [ModelOutput("indices")]
        public long[,]? Indices { get; set; }
    }

    public sealed class ZeroSizeIn
    {
        [ModelInput("empty")]
        public float[,]? Empty { get; set; }

        [ModelInput("features")]
        public float[,]? Features { get; set; }
    }

    public sealed class ZeroSizeOut
    {
        [ModelOutput("joined")]
        public float[,]? Joined { get; set; }
    }

    public sealed class ZeroSizeRowIn
    {
        [ModelInput("empty")]
        public float[]? Empty { get; set; }

        [ModelInput("features")]
        public float[]? Features { get; set; }
    }

    public sealed class ZeroSizeRowOut
    {
        [ModelOutput("joined")]
        public float[]? Joined { get; set; }
    }

    public sealed class ZipMapIn
    {
        [ModelInput("x")]
        public float[]? X { get; set; }
    }

    public sealed class ZipMapInt64Out
    {
        [ModelOutput("label")]
        public long Label { get; set; }

        [ModelOutput("scores")]
        public Dictionary<long, float>? Scores { get; set; }
    }

    public sealed class ZipMapStringOut
    {
        [ModelOutput("label")]
        public string? Label { get; set; }

        [ModelOutput("scores")]
        public IReadOnlyDictionary<string, float>? Scores { get; set; }
    }

    public sealed class MlNetIn
    {
        public float A { get; set; }

        public float B { get; set; }

        public float C { get; set; }

        public float D { get; set; }

        public bool Label { get; set; }
    }

    public sealed class MlNetOut
    {
        public float Score { get; set; }

        public float Probability { get; set; }

        public bool PredictedLabel { get; set; }
    }
}
