using System.Linq.Expressions;
using System.Reflection;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace MlOps.Sdk.Serving.Mapping;

/// <summary>
/// Binds <typeparamref name="TIn"/> properties to a session's inputs and <typeparamref name="TOut"/> properties to its
/// outputs, checked once against the session's metadata, with compiled accessors: no reflection per call.
/// </summary>
internal sealed class TensorMapping<TIn, TOut>
    where TOut : new()
{
    private TensorMapping(InputBinding<TIn>[] inputs, OutputBinding<TOut>[] outputs)
    {
        Inputs = inputs;
        Outputs = outputs;
        InputNames = inputs.Select(i => i.Name).ToArray();
        OutputNames = outputs.Select(o => o.Name).ToArray();
    }

    public InputBinding<TIn>[] Inputs { get; }

    public OutputBinding<TOut>[] Outputs { get; }

    public string[] InputNames { get; }

    public string[] OutputNames { get; }

    /// <exception cref="ModelMappingException">An input has no property, a property has no output, or a type does not fit.</exception>
    public static TensorMapping<TIn, TOut> Create(InferenceSession session)
    {
        var inputProperties = typeof(TIn).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanRead).ToList();
        var inputs = new List<InputBinding<TIn>>();
        foreach (var (name, meta) in session.InputMetadata)
        {
            var property = inputProperties.FirstOrDefault(p => (p.GetCustomAttribute<ModelInputAttribute>()?.Name ?? p.Name) == name)
                ?? throw new ModelMappingException($"The model needs input '{name}' ({Accessors.Describe(meta)}); {typeof(TIn).Name} has no property for it. Add one, or name one with [ModelInput(\"{name}\")].");
            inputs.Add(InputBinding<TIn>.Create(name, meta, property));
        }

        var batchSymbols = session.InputMetadata.Values
            .Where(m => m.Dimensions.Length > 0 && m.Dimensions[0] < 0 && m.SymbolicDimensions[0].Length > 0)
            .Select(m => m.SymbolicDimensions[0]).ToHashSet(StringComparer.Ordinal);
        var outputs = new List<OutputBinding<TOut>>();
        foreach (var property in OutputProperties)
        {
            var name = OutputNameFor(property, session.OutputMetadata.ContainsKey);
            if (!session.OutputMetadata.TryGetValue(name, out var meta))
            {
                throw new ModelMappingException($"{typeof(TOut).Name}.{property.Name} has no model output '{name}'; the model's outputs are {string.Join(", ", session.OutputMetadata.Keys)}.");
            }

            outputs.Add(OutputBinding<TOut>.Create(name, meta, property, batchSymbols));
        }

        if (outputs.Count == 0)
        {
            throw new ModelMappingException($"{typeof(TOut).Name} has no writable property to receive an output.");
        }

        return new TensorMapping<TIn, TOut>(inputs.ToArray(), outputs.ToArray());
    }

    /// <summary>The outputs among <paramref name="declared"/> that <typeparamref name="TOut"/> reads.</summary>
    public static IReadOnlyCollection<string> OutputsRead(IReadOnlyList<string> declared) =>
        OutputProperties.Select(p => OutputNameFor(p, declared.Contains)).Where(declared.Contains).ToHashSet(StringComparer.Ordinal);

    private static IEnumerable<PropertyInfo> OutputProperties => typeof(TOut).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite);

    /// <summary>The attribute's name, else the property's name if the model has it, else ML.NET's <c>name.output</c>.</summary>
    private static string OutputNameFor(PropertyInfo property, Func<string, bool> exists) =>
        property.GetCustomAttribute<ModelOutputAttribute>()?.Name ?? (exists(property.Name) ? property.Name : property.Name + ".output");

}
