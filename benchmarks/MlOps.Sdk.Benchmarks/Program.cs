using BenchmarkDotNet.Running;
using MlOps.Sdk.Benchmarks;

if (args is ["soak"])
{
    await SwapSoak.RunAsync();
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
