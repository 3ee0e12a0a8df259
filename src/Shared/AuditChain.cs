using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;
using MlOps.Sdk.Versioning.Storage;

namespace MlOps.Sdk.Versioning.Audit;

/// <summary>How audit entries are chained; providers call <see cref="Seal"/> when they append.</summary>
internal static class AuditChain
{
    /// <summary>The previous hash of the first entry.</summary>
    public static readonly string GenesisHash = new('0', 64);

    /// <summary>Turns a draft into the entry that follows <paramref name="previousHash"/> at <paramref name="sequence"/>.</summary>
    public static AuditEntry Seal(AuditDraft draft, long sequence, string previousHash)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var time = DateTimeOffset.FromUnixTimeMilliseconds(draft.Time.ToUnixTimeMilliseconds());
        var entry = new AuditEntry(sequence, time, draft.Actor, draft.Action, draft.Subject, draft.Before, draft.After, draft.Reason, previousHash, string.Empty);
        return entry with { Hash = ComputeHash(entry) };
    }

    /// <summary>The hash an entry must carry: SHA-256 of a canonical JSON array of its fields and the previous hash.</summary>
    public static string ComputeHash(AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            json.WriteNumberValue(entry.Sequence);
            json.WriteNumberValue(entry.Time.ToUnixTimeMilliseconds());
            json.WriteStringValue(entry.Actor);
            json.WriteStringValue(entry.Action);
            json.WriteStringValue(entry.Subject);
            WriteNullable(json, entry.Before);
            WriteNullable(json, entry.After);
            WriteNullable(json, entry.Reason);
            json.WriteStringValue(entry.PreviousHash);
            json.WriteEndArray();
        }

        return Convert.ToHexStringLower(SHA256.HashData(buffer.WrittenSpan));
    }

    /// <summary>Checks a log read in sequence order: the first entry altered, removed or out of order is reported.</summary>
    public static AuditVerification Verify(IEnumerable<AuditEntry> entries, AuditLogHead? expectedHead = null)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var previous = GenesisHash;
        long count = 0;
        foreach (var entry in entries)
        {
            var expected = count + 1;
            if (entry.Sequence != expected)
            {
                return Broken(expected, entry.Sequence > expected
                    ? $"entries {expected} to {entry.Sequence - 1} are missing"
                    : $"entry {entry.Sequence} appears again or out of order at position {expected}");
            }

            if (entry.PreviousHash != previous)
            {
                return Broken(expected, "it does not follow the entry before it (removed, inserted or reordered)");
            }

            if (ComputeHash(entry) != entry.Hash)
            {
                return Broken(expected, "its content does not match its hash (altered)");
            }

            previous = entry.Hash;
            count = expected;
        }

        if (expectedHead is not null && (count < expectedHead.Sequence || (count == expectedHead.Sequence && previous != expectedHead.Hash)))
        {
            return Broken(Math.Min(count + 1, expectedHead.Sequence), $"the log ends at entry {count}, before the head recorded earlier (entry {expectedHead.Sequence})");
        }

        return new AuditVerification(true, null, null, new AuditLogHead(count, previous));
    }

    private static AuditVerification Broken(long position, string problem) => new(false, position, problem, null);

    private static void WriteNullable(Utf8JsonWriter json, string? value)
    {
        if (value is null)
        {
            json.WriteNullValue();
        }
        else
        {
            json.WriteStringValue(value);
        }
    }
}
