using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace MlOps.Sdk.Serving;

/// <summary>
/// A model's inputs or outputs by name, for models whose signature is known only at run time (see
/// <see cref="ModelHost"/>): <c>new NamedTensors { { "input", TensorValue.Create(pixels, 1, 3, 224, 224) } }</c>.
/// </summary>
public sealed class NamedTensors : IReadOnlyDictionary<string, TensorValue>
{
    private readonly Dictionary<string, TensorValue> _values = new(StringComparer.Ordinal);

    /// <summary>The value named <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">There is none; the message names those there are.</exception>
    public TensorValue this[string name] => _values.TryGetValue(name, out var value)
        ? value
        : throw new KeyNotFoundException($"There is no tensor named '{name}'; there are {string.Join(", ", _values.Keys)}.");

    /// <inheritdoc />
    public IEnumerable<string> Keys => _values.Keys;

    /// <inheritdoc />
    public IEnumerable<TensorValue> Values => _values.Values;

    /// <inheritdoc />
    public int Count => _values.Count;

    /// <summary>Adds a value.</summary>
    /// <exception cref="ArgumentException">A value of that name is already there.</exception>
    public void Add(string name, TensorValue value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(value);
        if (!_values.TryAdd(name, value))
        {
            throw new ArgumentException($"There is already a tensor named '{name}'.", nameof(name));
        }
    }

    /// <inheritdoc />
    public bool ContainsKey(string key) => _values.ContainsKey(key);

    /// <inheritdoc />
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out TensorValue value) => _values.TryGetValue(key, out value);

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, TensorValue>> GetEnumerator() => _values.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc />
    public override string ToString() => string.Join(", ", _values.Select(v => $"{v.Key}: {v.Value}"));
}
