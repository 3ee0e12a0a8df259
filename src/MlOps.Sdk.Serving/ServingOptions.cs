using Microsoft.ML.OnnxRuntime;

namespace MlOps.Sdk.Serving;

/// <summary>How model hosts create ONNX Runtime sessions.</summary>
public sealed class ServingOptions
{
    /// <summary>Threads one inference may use.</summary>
    /// <value>The default is 1: a serving process runs many small inferences in parallel, one per request thread.</value>
    public int IntraOpThreads { get; set; } = 1;

    /// <summary>The graph optimisation level.</summary>
    /// <value>The default is <see cref="GraphOptimizationLevel.ORT_ENABLE_ALL"/>.</value>
    public GraphOptimizationLevel OptimizationLevel { get; set; } = GraphOptimizationLevel.ORT_ENABLE_ALL;

    /// <summary>Whether ONNX Runtime's CPU memory arena is used.</summary>
    /// <value>The default is false: with the arena, concurrent callers of one session contend and lose throughput.</value>
    public bool EnableMemoryArena { get; set; }

    /// <summary>Whether idle inference threads spin.</summary>
    /// <value>The default is false: spinning burns cores that the host's own threads need.</value>
    public bool AllowSpinning { get; set; }

    /// <summary>A last say on the session options, for execution providers and anything not covered above.</summary>
    public Action<SessionOptions>? ConfigureSession { get; set; }

    internal SessionOptions CreateSessionOptions()
    {
        var options = new SessionOptions
        {
            IntraOpNumThreads = IntraOpThreads,
            InterOpNumThreads = 1,
            GraphOptimizationLevel = OptimizationLevel,
            EnableCpuMemArena = EnableMemoryArena,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        };
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", AllowSpinning ? "1" : "0");
        options.AddSessionConfigEntry("session.inter_op.allow_spinning", AllowSpinning ? "1" : "0");
        ConfigureSession?.Invoke(options);
        return options;
    }
}
