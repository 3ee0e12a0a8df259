using MlOps.Sdk.Versioning;

namespace MlOps.Sdk.Serving.Hosting;

/// <summary>
/// The untyped host: the same engine as the typed one (<see cref="OnnxModelHost{TIn, TOut}"/> over named tensors), seen
/// through <see cref="ModelHost"/>.
/// </summary>
internal sealed class OnnxNamedModelHost : ModelHost, IModelHostState, IAsyncDisposable, IDisposable
{
    private readonly OnnxModelHost<NamedTensors, NamedTensors> _engine;

    public OnnxNamedModelHost(string name, ModelHostOptions options, HostServices services)
    {
        _engine = new OnnxModelHost<NamedTensors, NamedTensors>(name, options, services) { Sender = this };
    }

    public override event EventHandler<ModelVersion>? Swapped
    {
        add => _engine.Swapped += value;
        remove => _engine.Swapped -= value;
    }

    public override event EventHandler<ModelLoadFailure>? LoadFailed
    {
        add => _engine.LoadFailed += value;
        remove => _engine.LoadFailed -= value;
    }

    public override string Name => _engine.Name;

    public override ModelVersion? CurrentVersion => _engine.CurrentVersion;

    public ModelLoadFailure? LastLoadFailure => _engine.LastLoadFailure;

    public override NamedTensors Predict(NamedTensors input) => _engine.Predict(input);

    public override NamedTensors Predict(NamedTensors input, string routingKey) => _engine.Predict(input, routingKey);

    public override ValueTask<NamedTensors> PredictAsync(NamedTensors input, CancellationToken cancellationToken = default) => _engine.PredictAsync(input, cancellationToken);

    public override IReadOnlyList<NamedTensors> Predict(ReadOnlySpan<NamedTensors> inputs) => _engine.Predict(inputs);

    public override IDisposable Observe(IPredictionObserver<NamedTensors, NamedTensors> observer) => _engine.Observe(observer);

    public override IDisposable Observe(IPredictionObserver<NamedTensors, NamedTensors> observer, ObserverDelivery delivery) => _engine.Observe(observer, delivery);

    public override Prediction<NamedTensors> PredictWithProvenance(NamedTensors input, string? routingKey = null) => _engine.PredictWithProvenance(input, routingKey);

    public override Prediction<IReadOnlyList<NamedTensors>> PredictBatchWithProvenance(ReadOnlySpan<NamedTensors> inputs, string? routingKey = null) => _engine.PredictBatchWithProvenance(inputs, routingKey);

    public override ModelTensors CreateTensors(int batchSize = 1, params string[] outputs) => _engine.CreateTensors(batchSize, outputs);

    public override ModelTensors CreateTensorsWithShapes(IReadOnlyDictionary<string, long[]> inputShapes, params string[] outputs) => _engine.CreateTensorsWithShapes(inputShapes, outputs);

    public override ModelVersion Run(ModelTensors tensors) => _engine.Run(tensors);

    public override Task StartAsync(CancellationToken cancellationToken = default) => _engine.StartAsync(cancellationToken);

    public override Task<bool> PinAsync(int version, CancellationToken cancellationToken = default) => _engine.PinAsync(version, cancellationToken);

    public override Task UnpinAsync(CancellationToken cancellationToken = default) => _engine.UnpinAsync(cancellationToken);

    public override Task<bool> RollbackAsync(CancellationToken cancellationToken = default) => _engine.RollbackAsync(cancellationToken);

    public override Task<bool> SwapToAsync(ModelVersion version, CancellationToken cancellationToken = default) => _engine.SwapToAsync(version, cancellationToken);

    public ValueTask DisposeAsync() => _engine.DisposeAsync();

    public void Dispose() => _engine.Dispose();
}
