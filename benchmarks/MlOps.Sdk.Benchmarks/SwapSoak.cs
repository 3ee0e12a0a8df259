using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using MlOps.Sdk.Serving;
using MlOps.Sdk.Storage.Conformance;
using MlOps.Sdk.Versioning;

namespace MlOps.Sdk.Benchmarks;

/// <summary>
/// The swap soak (<c>-- soak</c>): two threads predict on the MLP without pause; latencies are taken while nothing
/// swaps, then during 100 swaps between two versions. Reports p50/p99 of both phases, and the process's memory (working
/// set, after a full collection) after the first swap and after the last.
/// </summary>
internal static class SwapSoak
{
    private static readonly int Swaps = int.TryParse(Environment.GetEnvironmentVariable("SOAK_SWAPS"), out var n) ? n : 100;
    private const int Buckets = 100_000;

    public static async Task RunAsync()
    {
        var services = new ServiceCollection();
        services.AddMlOps().AddModelRegistry()
            .AddModelHost<ServingLatencyBenchmarks.MlpRow, ServingLatencyBenchmarks.MlpScore>("mlp", h => h.PinVersion(1))
            .UseInMemoryStores();
        await using var provider = services.BuildServiceProvider();
        var registry = provider.GetRequiredService<ModelRegistry>();
        var host = provider.GetRequiredService<ModelHost<ServingLatencyBenchmarks.MlpRow, ServingLatencyBenchmarks.MlpScore>>();
        var v1 = await registry.RegisterModelAsync("mlp", new MemoryStream(OnnxModels.Mlp(10, [64, 32], seed: 1)));
        var v2 = await registry.RegisterModelAsync("mlp", new MemoryStream(OnnxModels.Mlp(10, [64, 32], seed: 2)));
        await host.SwapToAsync(v1);

        var phase = 2; // 0 steady, 1 during swaps, 2 warm-up (not reported)
        var stop = false;
        // Latencies go into fixed histograms (0.1 µs buckets up to 10 ms), so measuring does not grow the heap.
        var samples = new[] { new long[Buckets], new long[Buckets], new long[Buckets] };
        var failures = 0;
        var callers = Enumerable.Range(0, int.TryParse(Environment.GetEnvironmentVariable("SOAK_CALLERS"), out var c) ? c : 2).Select(_ => new Thread(() =>
        {
            var row = new ServingLatencyBenchmarks.MlpRow { Features = [.. Enumerable.Range(0, 10).Select(i => i / 10f)] };
            var local = new[] { new long[Buckets], new long[Buckets], new long[Buckets] };
            while (!Volatile.Read(ref stop))
            {
                var started = Stopwatch.GetTimestamp();
                try
                {
                    host.Predict(row);
                }
                catch (Exception)
                {
                    Interlocked.Increment(ref failures);
                }

                local[Volatile.Read(ref phase)][Math.Min(Buckets - 1, (int)(Stopwatch.GetElapsedTime(started).TotalMicroseconds * 10))]++;
            }

            lock (samples)
            {
                for (var b = 0; b < Buckets; b++)
                {
                    samples[0][b] += local[0][b];
                    samples[1][b] += local[1][b];
                }
            }
        })).ToList();
        callers.ForEach(t => t.Start());

        // A process that has served a while has compiled its swap and call paths: SOAK_WARMUP swaps under the same
        // load (and a pause for the tiered JIT's background recompilation) take the runtime's one-time costs out.
        var warmUp = int.TryParse(Environment.GetEnvironmentVariable("SOAK_WARMUP"), out var w) ? w : 0;
        for (var i = 0; i < warmUp; i++)
        {
            await host.SwapToAsync(i % 2 == 0 ? v2 : v1);
            await Task.Delay(50);
        }

        if (warmUp > 0)
        {
            await host.SwapToAsync(v1);
            await Task.Delay(TimeSpan.FromSeconds(2));
        }

        Volatile.Write(ref phase, 0);
        await Task.Delay(TimeSpan.FromSeconds(5));
        Volatile.Write(ref phase, 1);
        long afterFirst = 0;
        for (var i = 0; i < Swaps; i++)
        {
            if (!await host.SwapToAsync(i % 2 == 0 ? v2 : v1))
            {
                throw new InvalidOperationException($"Swap {i} failed.");
            }

            if (i == 0)
            {
                afterFirst = Memory();
            }

            if (Environment.GetEnvironmentVariable("SOAK_TRACE") is not null && i % 50 == 0)
            {
                Console.WriteLine($"swap {i + 1}: working set {Memory() / 1048576.0:F1} MiB, managed {GC.GetTotalMemory(false) / 1048576.0:F1} MiB, GC committed {GC.GetGCMemoryInfo().TotalCommittedBytes / 1048576.0:F1} MiB");
            }

            await Task.Delay(50);
        }

        var afterLast = Memory();
        Volatile.Write(ref stop, true);
        callers.ForEach(t => t.Join());

        Console.WriteLine($"swap soak: {Swaps} swaps after {warmUp} warm-up swaps, {callers.Count} calling threads, {failures} failed calls");
        Console.WriteLine($"steady:      {samples[0].Sum(),9:N0} calls  p50 {Percentile(samples[0], 0.50):F2} us  p99 {Percentile(samples[0], 0.99):F2} us");
        Console.WriteLine($"during swaps:{samples[1].Sum(),9:N0} calls  p50 {Percentile(samples[1], 0.50):F2} us  p99 {Percentile(samples[1], 0.99):F2} us");
        Console.WriteLine($"p99 ratio (swaps / steady): {Percentile(samples[1], 0.99) / Percentile(samples[0], 0.99):F2}");
        Console.WriteLine($"working set after swap 1: {afterFirst / 1048576.0:F1} MiB, after swap {Swaps}: {afterLast / 1048576.0:F1} MiB ({(afterLast - afterFirst) * 100.0 / afterFirst:+0.0;-0.0}%)");
    }

    private static long Memory()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return process.WorkingSet64;
    }

    private static double Percentile(long[] histogram, double p)
    {
        var wanted = (long)Math.Ceiling(p * histogram.Sum());
        var seen = 0L;
        for (var b = 0; b < histogram.Length; b++)
        {
            seen += histogram[b];
            if (seen >= wanted)
            {
                return (b + 1) / 10.0;
            }
        }

        return double.PositiveInfinity;
    }
}
