using System.Buffers;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace MlOps.Sdk.Serving.Mapping;

/// <summary>
/// The codec of the untyped host: every session input is fed from the tensor of its name, checked against the model's
/// element type, rank and fixed sizes (free sizes are taken from the tensor, per call); every output comes back, with
/// the shape the run gave it. Numeric inputs are passed to ONNX Runtime pinned, not copied.
/// </summary>
internal sealed class NamedTensorCodec : ModelCodec<NamedTensors, NamedTensors>
{
    private readonly (string Name, NodeMetadata Meta)[] _inputs;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;

    public NamedTensorCodec(InferenceSession session)
    {
        _inputs = session.InputMetadata.Select(i => (i.Key, i.Value)).ToArray();
        _inputNames = _inputs.Select(i => i.Name).ToArray();
        _outputNames = session.OutputMetadata.Keys.ToArray();
        CanBatch = session.InputMetadata.Values.Concat(session.OutputMetadata.Values)
            .All(meta => meta.IsTensor && meta.Dimensions.Length > 0 && meta.Dimensions[0] < 0);
    }

    public override IReadOnlyList<string> InputNames => _inputNames;

    public override IReadOnlyList<string> OutputNames => _outputNames;

    /// <summary>Whether every input and output has a free first dimension: items of equal shape are stacked along it.</summary>
    public override bool CanBatch { get; }

    public override NamedTensors Run(InferenceSession session, RunOptions runOptions, NamedTensors input)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckNames(input);
        var values = new OrtValue[_inputs.Length];
        var pins = new MemoryHandle[_inputs.Length];
        try
        {
            for (var i = 0; i < _inputs.Length; i++)
            {
                var (name, meta) = _inputs[i];
                values[i] = OrtTensors.Create(name, meta, input[name], out pins[i]);
            }

            using var outputs = session.Run(runOptions, _inputNames, values, _outputNames);
            var result = new NamedTensors();
            for (var o = 0; o < _outputNames.Length; o++)
            {
                result.Add(_outputNames[o], OrtTensors.Read(_outputNames[o], outputs[o]));
            }

            return result;
        }
        finally
        {
            for (var i = 0; i < values.Length; i++)
            {
                values[i]?.Dispose();
                pins[i].Dispose();
            }
        }
    }

    /// <summary>
    /// Stacks the items along the first dimension and runs once, when every item's tensors have the same shape past it;
    /// items of different shapes run one by one. Each output is split back by rows.
    /// </summary>
    public override NamedTensors[] RunBatch(InferenceSession session, RunOptions runOptions, ReadOnlySpan<NamedTensors> inputs)
    {
        if (!CanBatch || inputs.Length == 1 || _inputNames.Length == 0 || !Stackable(inputs))
        {
            var each = new NamedTensors[inputs.Length];
            for (var i = 0; i < inputs.Length; i++)
            {
                each[i] = Run(session, runOptions, inputs[i]);
            }

            return each;
        }

        var stacked = new NamedTensors();
        foreach (var (name, _) in _inputs)
        {
            var parts = new TensorValue[inputs.Length];
            for (var i = 0; i < parts.Length; i++)
            {
                parts[i] = inputs[i][name];
            }

            stacked.Add(name, TensorRows.Concat(parts));
        }

        var output = Run(session, runOptions, stacked);
        var rows = new long[inputs.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            rows[i] = inputs[i][_inputNames[0]].Shape[0];
        }

        var results = new NamedTensors[inputs.Length];
        for (var i = 0; i < results.Length; i++)
        {
            results[i] = new NamedTensors();
        }

        foreach (var (name, value) in output)
        {
            var split = TensorRows.Split(name, value, rows);
            for (var i = 0; i < results.Length; i++)
            {
                results[i].Add(name, split[i]);
            }
        }

        return results;
    }

    /// <summary>Whether every item has every input, each with one row count per item and the same shape past the first dimension.</summary>
    private bool Stackable(ReadOnlySpan<NamedTensors> inputs)
    {
        foreach (var item in inputs)
        {
            CheckNames(item);
        }

        foreach (var item in inputs)
        {
            var rows = item[_inputNames[0]].Shape is [var first, ..] ? first : -1;
            foreach (var name in _inputNames)
            {
                var shape = item[name].Shape;
                var reference = inputs[0][name].Shape;
                if (shape.Count == 0 || shape.Count != reference.Count || shape[0] != rows || !shape.Skip(1).SequenceEqual(reference.Skip(1)))
                {
                    return false;
                }
            }
        }

        return true;
    }

    private void CheckNames(NamedTensors input)
    {
        foreach (var (name, _) in _inputs)
        {
            if (!input.ContainsKey(name))
            {
                throw new ModelInputException(name, $"the model needs it and it was not given; the model's inputs are {string.Join(", ", _inputNames)}");
            }
        }

        if (input.Count != _inputs.Length)
        {
            var extra = input.Keys.First(k => !_inputNames.Contains(k));
            throw new ModelInputException(extra, $"the model has no such input; its inputs are {string.Join(", ", _inputNames)}");
        }
    }
}
