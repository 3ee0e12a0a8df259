namespace MlOps.Sdk.Monitoring.Statistics;

/// <summary>
/// Evidently's total variation distance test (<c>TVD</c>): the distance between the two samples' category shares and a
/// permutation p-value drawn as Evidently draws it — numpy's legacy generator seeded with <c>np.random.seed(seed)</c>, each
/// permutation a <c>np.random.choice(pool, len(reference), replace=False)</c> of the pooled sample (reference first, in
/// the order given) — and each distance rounded as numpy rounds it, so the p-value equals Evidently's.
/// </summary>
public static class TotalVariation
{
    /// <summary>The number of permutations Evidently draws.</summary>
    public const int DefaultPermutations = 1_000;

    /// <summary>
    /// The distance ½ Σ |rₖ − cₖ| over each category's share of the non-missing values of either sample, and the share
    /// of <paramref name="permutations"/> random relabellings of the pooled values whose distance is at least the
    /// observed one. Shares are summed in the order the categories first appear, reference first (Evidently sums them in
    /// its set's order, which is ascending for small non-negative integers; the order matters only to rounding). Missing
    /// values (null, NaN) are dropped first. Each permutation costs one draw per pooled value.
    /// </summary>
    /// <exception cref="MlOpsValidationException">
    /// A sample has no value that is not missing, <paramref name="permutations"/> is less than one, or
    /// <paramref name="seed"/> is negative.
    /// </exception>
    public static TestResult Test<T>(ReadOnlySpan<T> reference, ReadOnlySpan<T> current, int permutations = DefaultPermutations, int seed = 0)
        where T : notnull
    {
        var codes = new Dictionary<T, int>();
        var pooled = new List<int>(reference.Length + current.Length);
        var referenceLength = Encode(reference, codes, pooled);
        Encode(current, codes, pooled);
        return Test(pooled.ToArray(), referenceLength, codes.Count, permutations, seed);
    }

    /// <summary>
    /// The test on counts per category (the same categories, in the same order, on both sides): equal to
    /// <see cref="Test{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, int, int)"/> on samples laid out category by category, with the
    /// shares summed in the order given. A monitor gives its categories in ordinal order.
    /// </summary>
    /// <exception cref="MlOpsValidationException">
    /// The counts differ in length, a count is negative, a side has no value, the pooled sample is larger than an array
    /// can hold, <paramref name="permutations"/> is less than one, or <paramref name="seed"/> is negative.
    /// </exception>
    public static TestResult TestCounts(ReadOnlySpan<long> referenceCounts, ReadOnlySpan<long> currentCounts, int permutations = DefaultPermutations, int seed = 0)
    {
        if (referenceCounts.Length != currentCounts.Length)
        {
            throw new MlOpsValidationException($"Both sides need a count for every category; they have {referenceCounts.Length} and {currentCounts.Length}.");
        }

        long referenceLength = 0, pooledLength = 0;
        for (var k = 0; k < referenceCounts.Length; k++)
        {
            if (referenceCounts[k] < 0 || currentCounts[k] < 0)
            {
                throw new MlOpsValidationException("Category counts cannot be negative.");
            }

            referenceLength += referenceCounts[k];
            pooledLength += referenceCounts[k] + currentCounts[k];
        }

        if (pooledLength > Array.MaxLength)
        {
            throw new MlOpsValidationException($"The permutation test takes at most {Array.MaxLength} values in all; these counts hold {pooledLength}.");
        }

        var pooled = new int[pooledLength];
        LayOut(referenceCounts, pooled.AsSpan(0, (int)referenceLength));
        LayOut(currentCounts, pooled.AsSpan((int)referenceLength));
        return Test(pooled, (int)referenceLength, referenceCounts.Length, permutations, seed);
    }

    /// <summary>The test on category codes 0 … k − 1, the reference's first.</summary>
    private static TestResult Test(int[] pooled, int referenceLength, int categories, int permutations, int seed)
    {
        var currentLength = pooled.Length - referenceLength;
        if (referenceLength == 0 || currentLength == 0)
        {
            throw new MlOpsValidationException($"Each sample needs a value that is not missing for the total variation distance; they have {referenceLength} and {currentLength}.");
        }

        if (permutations < 1)
        {
            throw new MlOpsValidationException($"The permutation test needs at least one permutation, not {permutations}.");
        }

        if (seed < 0)
        {
            throw new MlOpsValidationException($"numpy's seeds are not negative; {seed} is.");
        }

        var distance = new Distance(categories, referenceLength, currentLength);
        var total = new long[categories];
        var current = new long[categories];
        foreach (var code in pooled)
        {
            total[code]++;
        }

        foreach (var code in pooled.AsSpan(referenceLength))
        {
            current[code]++;
        }

        var observed = distance.Of(total, current);
        var random = new NumpyRandomState((uint)seed);
        var shuffled = new int[pooled.Length];
        var atLeast = 0;
        for (var p = 0; p < permutations; p++)
        {
            // The new reference is the first positions of the shuffled pool. Positions from the last down to the
            // reference's length are final once drawn: they are the new current sample. Below that, swaps only reorder
            // the new reference, but numpy still draws for them.
            pooled.CopyTo(shuffled, 0);
            Array.Clear(current);
            for (var i = shuffled.Length - 1; i > 0; i--)
            {
                var j = (int)random.Interval((uint)i);
                if (i >= referenceLength)
                {
                    (shuffled[i], shuffled[j]) = (shuffled[j], shuffled[i]);
                    current[shuffled[i]]++;
                }
            }

            atLeast += observed <= distance.Of(total, current) ? 1 : 0;
        }

        return new TestResult(observed, (double)atLeast / permutations);
    }

    private static void LayOut(ReadOnlySpan<long> counts, Span<int> codes)
    {
        for (var k = 0; k < counts.Length; k++)
        {
            codes[..(int)counts[k]].Fill(k);
            codes = codes[(int)counts[k]..];
        }
    }

    private static int Encode<T>(ReadOnlySpan<T> values, Dictionary<T, int> codes, List<int> pooled)
        where T : notnull
    {
        var count = 0;
        foreach (var value in values)
        {
            if (BinnedShares.IsMissing(value))
            {
                continue;
            }

            if (!codes.TryGetValue(value, out var code))
            {
                codes[value] = code = codes.Count;
            }

            pooled.Add(code);
            count++;
        }

        return count;
    }

    /// <summary>Evidently's distance, rounded as numpy rounds <c>0.5 * np.sum(np.abs(ref / sum(ref) - cur / sum(cur)))</c>.</summary>
    private sealed class Distance(int categories, int referenceLength, int currentLength)
    {
        private readonly double[] _gaps = new double[categories];

        public double Of(long[] total, long[] current)
        {
            for (var k = 0; k < _gaps.Length; k++)
            {
                _gaps[k] = Math.Abs(((double)(total[k] - current[k]) / referenceLength) - ((double)current[k] / currentLength));
            }

            return 0.5 * NumpySum.Of(_gaps);
        }
    }
}
