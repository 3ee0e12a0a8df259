using MlOps.Sdk.Versioning;

namespace MlOps.Sdk.Serving.Hosting;

/// <summary>Predictions: routing, the typed, batched and tensor calls, each through <see cref="Execute"/>.</summary>
internal sealed partial class OnnxModelHost<TIn, TOut>
{
    public override TOut Predict(TIn input) => Route(input, null, out _, out _);

    public override TOut Predict(TIn input, string routingKey)
    {
        ArgumentNullException.ThrowIfNull(routingKey);
        return Route(input, routingKey, out _, out _);
    }

    public override ValueTask<TOut> PredictAsync(TIn input, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<TOut>(cancellationToken);
        }

        if (_batcher is not null && _routes.Length == 0 && _shadow is null)
        {
            return _batcher.PredictAsync(input, cancellationToken);
        }

        try
        {
            return new ValueTask<TOut>(Route(input, null, out _, out _));
        }
        catch (Exception e)
        {
            return ValueTask.FromException<TOut>(e);
        }
    }

    private TOut[] RunBatched(ReadOnlyMemory<TIn> inputs)
    {
        var results = Execute(
            inputs,
            inputs.Length,
            static (model, inputs) => inputs.Length == 1 || !model.CanBatch ? RunEach(model, inputs.Span) : model.RunBatch(inputs.Span),
            out var version);
        _telemetry.BatchSize.Record(results.Length, _tag, _variantTag);
        for (var i = 0; i < results.Length; i++)
        {
            Notify(inputs.Span[i], results[i], version);
        }

        return results;

        static TOut[] RunEach(LoadedModel<TIn, TOut> model, ReadOnlySpan<TIn> inputs)
        {
            var results = new TOut[inputs.Length];
            for (var i = 0; i < inputs.Length; i++)
            {
                results[i] = model.Run(inputs[i]);
            }

            return results;
        }
    }

    public override IReadOnlyList<TOut> Predict(ReadOnlySpan<TIn> inputs) =>
        inputs.IsEmpty ? [] : Execute(inputs, inputs.Length, static (model, inputs) => model.RunBatch(inputs), out _);

    public override ModelTensors CreateTensors(int batchSize = 1, params string[] outputs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var model = Lease();
        try
        {
            return model.CreateTensors(batchSize, null, outputs);
        }
        finally
        {
            model.Release();
        }
    }

    public override ModelTensors CreateTensorsWithShapes(IReadOnlyDictionary<string, long[]> inputShapes, params string[] outputs)
    {
        ArgumentNullException.ThrowIfNull(inputShapes);
        var model = Lease();
        try
        {
            return model.CreateTensors(1, inputShapes, outputs);
        }
        finally
        {
            model.Release();
        }
    }

    public override ModelVersion Run(ModelTensors tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var onnx = tensors as OnnxTensors ?? throw new ArgumentException("These tensors were not made by an ONNX model host's CreateTensors.", nameof(tensors));
        return Run(onnx);
    }

    private ModelVersion Run(OnnxTensors tensors)
    {
        tensors.Enter();
        try
        {
            return Execute(tensors, tensors.BatchSize, static (model, tensors) =>
            {
                model.Run(tensors);
                return model.Version;
            }, out _);
        }
        finally
        {
            tensors.Exit();
        }
    }

    public override Prediction<TOut> PredictWithProvenance(TIn input, string? routingKey = null)
    {
        var output = Route(input, routingKey, out var version, out var variant);
        return new Prediction<TOut>(output, version.ModelName, version.Number, version.Digest!.Value, variant);
    }

    public override Prediction<IReadOnlyList<TOut>> PredictBatchWithProvenance(ReadOnlySpan<TIn> inputs, string? routingKey = null)
    {
        if (inputs.IsEmpty)
        {
            throw new ModelInputException("inputs", "The batch is empty; send at least one input.");
        }

        var host = Choose(routingKey);
        var outputs = host.Execute(inputs, inputs.Length, static (model, inputs) => model.RunBatch(inputs), out var version);
        return new Prediction<IReadOnlyList<TOut>>(outputs, version.ModelName, version.Number, version.Digest!.Value, host._variant);
    }

    /// <summary>Serves on the variant the key (or chance) picks, then offers the call to the shadow.</summary>
    private TOut Route(TIn input, string? routingKey, out ModelVersion version, out string variant)
    {
        var host = Choose(routingKey);
        var output = host.Serve(input, out version);
        variant = host._variant;
        _shadow?.Offer(input, output, routingKey);
        Notify(input, output, version);
        return output;
    }

    private TOut ServeObserved(TIn input)
    {
        var output = Serve(input, out var version);
        Notify(input, output, version);
        return output;
    }

    /// <summary>The variant whose bucket range holds the key; the primary when none does or it has nothing loaded yet.</summary>
    private OnnxModelHost<TIn, TOut> Choose(string? routingKey)
    {
        if (_routes.Length == 0)
        {
            return this;
        }

        var bucket = routingKey is null ? Routing.RoutingKey.Random() : Routing.RoutingKey.Bucket(Name, routingKey);
        foreach (var (upTo, host) in _routes)
        {
            if (bucket < upTo)
            {
                return host.CurrentVersion is null ? this : host;
            }
        }

        return this;
    }

    private TOut Serve(TIn input, out ModelVersion version) => Execute(input, 1, static (model, input) => model.Run(input), out version);
}
