using System.Collections.Concurrent;
using MlOps.Sdk.State;

namespace MlOps.Sdk.Testing.State;

/// <summary>A <see cref="StateStore"/> in memory: values vanish with the service provider.</summary>
public sealed class InMemoryStateStore : StateStore
{
    private readonly ConcurrentDictionary<string, byte[]> _values = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public override Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        ValidateKey(key);
        return Task.FromResult(_values.TryGetValue(key, out var value) ? value.ToArray() : null);
    }

    /// <inheritdoc />
    public override Task PutAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default)
    {
        ValidateKey(key);
        _values[key] = value.ToArray();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override Task<bool> DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        ValidateKey(key);
        return Task.FromResult(_values.TryRemove(key, out _));
    }
}
