using System.ComponentModel.DataAnnotations;
using Microsoft.ML.OnnxRuntime;

namespace MlOps.Sdk.Serving;

/// <summary>How model hosts create ONNX Runtime sessions.</summary>
public sealed class ServingOptions
{
    /// <summary>Threads one inference may use.</summary>
    /// <value>The default is 1: a serving process runs many small inferences in parallel, one per request thread.</value>
    [Range(1, 1024)]
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

    /// <summary>
    /// Whether a host loads each version trimmed to the outputs its result type reads: outputs nothing reads, the nodes
    /// only they need and the inputs nothing uses are removed before ONNX Runtime sees the model (the stored content and
    /// its digest are untouched). ML.NET exports declare a pass-through output per column, so this makes their calls
    /// cheaper; <see cref="ModelHost{TIn, TOut}.CreateTensors(int, string[])"/> then offers only the outputs the result type reads.
    /// </summary>
    /// <value>The default is true.</value>
    public bool TrimUnreadOutputs { get; set; } = true;

    /// <summary>
    /// How long a host waits for code it did not write: <see cref="ModelHost{TIn, TOut}.Swapped"/> and
    /// <see cref="ModelHost{TIn, TOut}.LoadFailed"/> subscribers, and <see cref="ConfigureSession"/>. A callback still
    /// running then is logged and counted (<c>mlops.serving.callback_errors</c>, <c>error.type = timeout</c>) and the
    /// host carries on without it: a hung subscriber never holds up a swap.
    /// </summary>
    /// <value>The default is 10 seconds.</value>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan CallbackTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How many predictions may wait for each <see cref="ObserverDelivery.Queued"/> observer before new ones are dropped.</summary>
    /// <value>The default is 10,000.</value>
    [Range(1, 100_000_000)]
    public int ObserverQueueCapacity { get; set; } = 10_000;

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
        return options;
    }
}
