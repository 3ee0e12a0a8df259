namespace MlOps.Sdk.Monitoring.Statistics;

/// <summary>
/// numpy's legacy generator as <c>np.random.seed(seed)</c> leaves it (MT19937 seeded by <c>init_genrand</c>), with the
/// draws Evidently's permutation tests take from it: <c>np.random.permutation(n)</c> and
/// <c>np.random.choice(pool, size, replace=False)</c>, which is the first <c>size</c> entries of a permutation of the pool.
/// numpy keeps this stream unchanged across releases, so a seed gives the permutations Evidently draws.
/// </summary>
internal sealed class NumpyRandomState
{
    private const int StateLength = 624;
    private const int Shift = 397;
    private const uint MatrixA = 0x9908b0df;
    private const uint UpperMask = 0x80000000;
    private const uint LowerMask = 0x7fffffff;

    private readonly uint[] _key = new uint[StateLength];
    private int _position;

    public NumpyRandomState(uint seed)
    {
        for (var i = 0; i < StateLength; i++)
        {
            _key[i] = seed;
            seed = (1812433253u * (seed ^ (seed >> 30))) + (uint)i + 1;
        }

        _position = StateLength;
    }

    /// <summary>The next 32 random bits (numpy's <c>mt19937_next32</c>).</summary>
    public uint NextUInt32()
    {
        if (_position == StateLength)
        {
            Twist();
        }

        var y = _key[_position++];
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        return y ^ (y >> 18);
    }

    /// <summary>A uniform integer in [0, <paramref name="max"/>] by masked rejection (numpy's <c>random_interval</c>).</summary>
    public uint Interval(uint max)
    {
        if (max == 0)
        {
            return 0;
        }

        var mask = max;
        mask |= mask >> 1;
        mask |= mask >> 2;
        mask |= mask >> 4;
        mask |= mask >> 8;
        mask |= mask >> 16;
        uint value;
        while ((value = NextUInt32() & mask) > max)
        {
        }

        return value;
    }

    /// <summary>Shuffles in place as numpy's legacy <c>shuffle</c> does: from the last position down, each swapped with a draw at or below it.</summary>
    public void Shuffle<T>(Span<T> values)
    {
        for (var i = values.Length - 1; i > 0; i--)
        {
            var j = (int)Interval((uint)i);
            (values[i], values[j]) = (values[j], values[i]);
        }
    }

    /// <summary>Writes 0 … n − 1 into <paramref name="order"/> and shuffles it: <c>np.random.permutation(n)</c>.</summary>
    public void Permutation(Span<int> order)
    {
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        Shuffle(order);
    }

    private void Twist()
    {
        var key = _key;
        int i;
        uint y;
        for (i = 0; i < StateLength - Shift; i++)
        {
            y = (key[i] & UpperMask) | (key[i + 1] & LowerMask);
            key[i] = key[i + Shift] ^ (y >> 1) ^ ((0u - (y & 1)) & MatrixA);
        }

        for (; i < StateLength - 1; i++)
        {
            y = (key[i] & UpperMask) | (key[i + 1] & LowerMask);
            key[i] = key[i + Shift - StateLength] ^ (y >> 1) ^ ((0u - (y & 1)) & MatrixA);
        }

        y = (key[StateLength - 1] & UpperMask) | (key[0] & LowerMask);
        key[StateLength - 1] = key[Shift - 1] ^ (y >> 1) ^ ((0u - (y & 1)) & MatrixA);
        _position = 0;
    }
}
