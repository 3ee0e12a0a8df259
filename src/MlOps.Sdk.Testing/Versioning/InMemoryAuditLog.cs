using MlOps.Sdk.Versioning.Audit;
using MlOps.Sdk.Versioning.Storage;

namespace MlOps.Sdk.Testing.Versioning;

/// <summary>The audit chain shared by the in-memory registry and dataset stores. Callers hold <see cref="Sync"/>.</summary>
public sealed class InMemoryAuditLog
{
    private readonly List<AuditEntry> _entries = [];

    /// <summary>The lock every in-memory versioning store takes for a mutation and its audit entry together.</summary>
    public Lock Sync { get; } = new();

    /// <summary>Appends an entry; call under <see cref="Sync"/>.</summary>
    public void Append(AuditDraft draft) =>
        _entries.Add(AuditChain.Seal(draft, _entries.Count + 1, _entries.Count == 0 ? AuditChain.GenesisHash : _entries[^1].Hash));

    /// <summary>A copy of the entries.</summary>
    public IReadOnlyList<AuditEntry> Snapshot()
    {
        lock (Sync)
        {
            return _entries.ToList();
        }
    }

    /// <summary>Removes the entry at a 1-based position behind the chain's back, to test tamper detection.</summary>
    public void Remove(long sequence)
    {
        lock (Sync)
        {
            _entries.RemoveAt((int)sequence - 1);
        }
    }

    /// <summary>Exchanges two entries' contents behind the chain's back, keeping their positions, to test tamper detection.</summary>
    public void Swap(long first, long second)
    {
        lock (Sync)
        {
            var (a, b) = (_entries[(int)first - 1], _entries[(int)second - 1]);
            _entries[(int)first - 1] = b with { Sequence = a.Sequence };
            _entries[(int)second - 1] = a with { Sequence = b.Sequence };
        }
    }

    /// <summary>Replaces the entry at a 1-based position behind the chain's back, to test tamper detection.</summary>
    public void Tamper(long sequence, Func<AuditEntry, AuditEntry> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        lock (Sync)
        {
            _entries[(int)sequence - 1] = change(_entries[(int)sequence - 1]);
        }
    }
}
