using System.Runtime.CompilerServices;

namespace MlOps.Sdk.Storage.Conformance;

/// <summary>Counts what a call allocates on the calling thread once it is warm.</summary>
public static class Allocations
{
    /// <summary>
    /// Runs <paramref name="call"/> <paramref name="warmUp"/> times, then <paramref name="rounds"/> rounds of
    /// <paramref name="times"/> calls, and returns the fewest bytes any round allocated on this thread. A call that
    /// allocates shows in every round; the runtime's per-thread count is now and then a few kilobytes off on a busy
    /// machine (dotnet/runtime#63487, #74388), which one round alone would report as an allocation. The loop is compiled
    /// fully optimised up front, so it is not recompiled mid-round (on-stack replacement) on this thread.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static long Fewest(int warmUp, int times, Action<int> call, int rounds = 3)
    {
        ArgumentNullException.ThrowIfNull(call);
        var index = 0;
        for (; index < warmUp; index++)
        {
            call(index);
        }

        var fewest = long.MaxValue;
        for (var round = 0; round < rounds; round++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < times; i++, index++)
            {
                call(index);
            }

            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        return fewest;
    }
}
