using BenchmarkDotNet.Running;
using MlOps.Sdk.Benchmarks;

if (args is ["soak"])
{
    await SwapSoak.RunAsync();
    return;
}

if (args is ["pg-plans"])
{
    await PostgresPlans.PrintAsync();
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
