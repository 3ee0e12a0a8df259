namespace MlOps.Sdk.Versioning.Onnx;

/// <summary>How far a new signature is from an old one, for callers written against the old.</summary>
public enum SignatureChange
{
    /// <summary>The same inputs and outputs.</summary>
    Identical,

    /// <summary>Callers of the old signature keep working: outputs added, fixed dimensions made free, symbols renamed.</summary>
    Compatible,

    /// <summary>Callers of the old signature can fail: an input added or removed, a type or rank changed, a fixed size changed.</summary>
    Breaking,
}

/// <summary>The classified differences between two signatures, one readable line each.</summary>
public sealed record SignatureComparison(SignatureChange Change, IReadOnlyList<string> Differences)
{
    /// <summary>Compares <paramref name="newer"/> with <paramref name="older"/>.</summary>
    public static SignatureComparison Compare(ModelSignature older, ModelSignature newer)
    {
        ArgumentNullException.ThrowIfNull(older);
        ArgumentNullException.ThrowIfNull(newer);
        var lines = new List<(SignatureChange Change, string Text)>();
        CompareSide("input", older.Inputs, newer.Inputs, addedIsBreaking: true, lines);
        CompareSide("output", older.Outputs, newer.Outputs, addedIsBreaking: false, lines);
        var change = lines.Count == 0 ? SignatureChange.Identical : lines.Max(l => l.Change);
        return new SignatureComparison(change, lines.Select(l => $"{l.Text} ({l.Change.ToString().ToLowerInvariant()})").ToList());
    }

    private static void CompareSide(string side, IReadOnlyList<TensorSignature> older, IReadOnlyList<TensorSignature> newer, bool addedIsBreaking, List<(SignatureChange, string)> lines)
    {
        foreach (var old in older)
        {
            var now = newer.FirstOrDefault(n => n.Name == old.Name);
            if (now is null)
            {
                lines.Add((SignatureChange.Breaking, $"{side} '{old.Name}' was removed"));
                continue;
            }

            if (now.ElementType != old.ElementType)
            {
                lines.Add((SignatureChange.Breaking, $"{side} '{old.Name}': element type {old.ElementType} -> {now.ElementType}"));
            }

            if (now.Shape.Count != old.Shape.Count)
            {
                lines.Add((SignatureChange.Breaking, $"{side} '{old.Name}': rank {old.Shape.Count} -> {now.Shape.Count}"));
                continue;
            }

            for (var d = 0; d < old.Shape.Count; d++)
            {
                var (a, b) = (old.Shape[d], now.Shape[d]);
                if (a == b)
                {
                    continue;
                }

                // An input that accepts more is compatible; an output whose size became free may surprise callers.
                var change = (a.Size, b.Size) switch
                {
                    (not null, null) => side == "input" ? SignatureChange.Compatible : SignatureChange.Breaking,
                    (null, null) => SignatureChange.Compatible,
                    _ => SignatureChange.Breaking,
                };
                lines.Add((change, $"{side} '{old.Name}': dimension {d} {a} -> {b}"));
            }
        }

        foreach (var added in newer.Where(n => older.All(o => o.Name != n.Name)))
        {
            lines.Add((addedIsBreaking ? SignatureChange.Breaking : SignatureChange.Compatible, $"{side} '{added.Name}' was added as {added.ElementType}[{string.Join(",", added.Shape)}]"));
        }
    }
}
