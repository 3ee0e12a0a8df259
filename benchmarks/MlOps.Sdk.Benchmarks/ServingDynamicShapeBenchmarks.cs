using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.ML.OnnxRuntime;
using MlOps.Sdk.Serving;
using MlOps.Sdk.Versioning;

namespace MlOps.Sdk.Benchmarks;

/// <summary>
/// One image through the conformance set's CNN (exported by PyTorch with free batch, height and width; two
/// convolutions and a pooled head), at 224×224 and 320×240. The baseline is raw ONNX Runtime as a caller with images of
/// changing sizes uses it: an <see cref="OrtValue"/> over the image per call, <c>InferenceSession.Run</c>, both outputs
/// copied out, with the session options the host uses. Against it: the typed host (<c>float[,,,]</c> in, <c>float[,,,]</c> and <c>float[,]</c> out), the untyped
/// host (named tensors), and the tensor API made for the size once. Outputs are checked equal first.
/// </summary>
[MemoryDiagnoser]
public class ServingDynamicShapeBenchmarks
{
    private ServiceProvider _services = null!;
    private ModelHost<CnnImage, CnnOutput> _typed = null!;
    private ModelHost _untyped = null!;
    private ModelTensors _tensors = null!;
    private InferenceSession _session = null!;
    private RunOptions _runOptions = null!;
    private float[] _pixels = null!;
    private long[] _shape = null!;
    private CnnImage _image = null!;
    private NamedTensors _named = null!;

    /// <summary>The image: height × width.</summary>
    [Params("224x224", "320x240")]
    public string Size { get; set; } = "224x224";

    [GlobalSetup]
    public async Task Setup()
    {
        var file = ConformanceModel("cnn");
        var sizes = Size.Split('x').Select(int.Parse).ToArray();
        var (height, width) = (sizes[0], sizes[1]);
        _shape = [1, 3, height, width];
        var random = new Random(3);
        _pixels = [.. Enumerable.Range(0, 3 * height * width).Select(_ => (float)random.NextDouble())];
        _image = new CnnImage { Pixels = new float[1, 3, height, width] };
        Buffer.BlockCopy(_pixels, 0, _image.Pixels, 0, _pixels.Length * sizeof(float));
        _named = new NamedTensors { { "image", TensorValue.Create(_pixels, _shape) } };

        var services = new ServiceCollection();
        services.AddMlOps().AddModelRegistry().UseInMemoryStores()
            .AddModelHost<CnnImage, CnnOutput>("typed", h => h.PinVersion(1))
            .AddModelHost("untyped", h => h.PinVersion(1));
        _services = services.BuildServiceProvider();
        var registry = _services.GetRequiredService<ModelRegistry>();
        await registry.RegisterModelFileAsync("typed", file);
        await registry.RegisterModelFileAsync("untyped", file);
        _typed = _services.GetRequiredService<ModelHost<CnnImage, CnnOutput>>();
        _untyped = _services.GetRequiredKeyedService<ModelHost>("untyped");
        await _typed.StartAsync();
        await _untyped.StartAsync();
        _tensors = _untyped.CreateTensorsWithShapes(new Dictionary<string, long[]> { ["image"] = _shape });
        _pixels.CopyTo(_tensors.Input<float>("image"));

        // The host's session options (one intra-op thread, no spinning, no arena): what is measured is the host, not a setting.
        using (var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, EnableCpuMemArena = false })
        {
            options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
            _session = new InferenceSession(file, options);
        }

        _runOptions = new RunOptions();
        Check();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _tensors.Dispose();
        _services.Dispose();
        _session.Dispose();
        _runOptions.Dispose();
    }

    [Benchmark(Baseline = true)]
    public float RawOnnxRuntime()
    {
        using var input = OrtValue.CreateTensorValueFromMemory(_pixels, _shape);
        using var outputs = _session.Run(_runOptions, ["image"], [input], ["features", "classes"]);
        var features = outputs[0].GetTensorDataAsSpan<float>().ToArray();
        var classes = outputs[1].GetTensorDataAsSpan<float>().ToArray();
        return features[^1] + classes[0];
    }

    [Benchmark]
    public float TypedHost()
    {
        var result = _typed.Predict(_image);
        return result.Features![0, 7, result.Features.GetLength(2) - 1, result.Features.GetLength(3) - 1] + result.Classes![0, 0];
    }

    [Benchmark]
    public float UntypedHost()
    {
        var result = _untyped.Predict(_named);
        return result["features"].AsSpan<float>()[^1] + result["classes"].AsSpan<float>()[0];
    }

    [Benchmark]
    public float TensorApi()
    {
        _untyped.Run(_tensors);
        return _tensors.Output<float>("features")[^1] + _tensors.Output<float>("classes")[0];
    }

    private void Check()
    {
        var raw = RawOnnxRuntime();
        var results = new[] { TypedHost(), UntypedHost(), TensorApi() };
        if (results.Any(r => r != raw))
        {
            throw new InvalidOperationException($"The hosts disagree with ONNX Runtime: {raw} vs {string.Join(", ", results)}.");
        }
    }

    /// <summary>A model of the committed conformance set, found from the working directory up.</summary>
    internal static string ConformanceModel(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var file = Path.Combine(dir.FullName, "tests", "MlOps.Sdk.Serving.Tests", "Conformance", name, "model.onnx");
            if (File.Exists(file))
            {
                return file;
            }
        }

        throw new FileNotFoundException($"The conformance model '{name}' was not found above {AppContext.BaseDirectory}.");
    }

    public sealed class CnnImage
    {
        [ModelInput("image")]
        public float[,,,]? Pixels { get; set; }
    }

    public sealed class CnnOutput
    {
        [ModelOutput("features")]
        public float[,,,]? Features { get; set; }

        [ModelOutput("classes")]
        public float[,]? Classes { get; set; }
    }
}
