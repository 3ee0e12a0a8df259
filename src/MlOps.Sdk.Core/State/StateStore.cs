namespace MlOps.Sdk.State;

/// <summary>
/// A small durable store of named byte values, for state a component must keep across restarts (a drift monitor's open
/// window). Every provider implements it (SQLite: one table); values are replaced whole.
/// </summary>
public abstract class StateStore
{
    /// <summary>The longest key.</summary>
    public const int MaxKeyLength = 200;

    /// <summary>The value stored under <paramref name="key"/>, or null.</summary>
    public abstract Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Stores <paramref name="value"/> under <paramref name="key"/>, replacing any value; durable when the task completes.</summary>
    public abstract Task PutAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default);

    /// <summary>Removes the value under <paramref name="key"/>.</summary>
    /// <returns>Whether there was one.</returns>
    public abstract Task<bool> DeleteAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Checks a key: not empty, at most <see cref="MaxKeyLength"/> characters, no control characters.</summary>
    /// <exception cref="MlOpsValidationException">The key is not usable.</exception>
    protected static void ValidateKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length is 0 or > MaxKeyLength || key.Any(char.IsControl))
        {
            throw new MlOpsValidationException($"A state key is 1 to {MaxKeyLength} printable characters; got '{key}'.");
        }
    }
}
