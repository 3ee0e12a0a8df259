using Microsoft.Extensions.DependencyInjection;
using MlOps.Sdk.Storage.Conformance;
using MlOps.Sdk.Testing.Versioning;
using MlOps.Sdk.Versioning;
using MlOps.Sdk.Versioning.Storage;

namespace MlOps.Sdk.Testing.Tests;

public sealed class InMemoryModelRegistryConformanceTests : ModelRegistryConformanceTests
{
    private InMemoryAuditLog Log => Services.GetRequiredService<InMemoryAuditLog>();

    protected override void ConfigureProvider(IMlOpsBuilder builder) => builder.UseInMemoryStores();

    protected override Task TamperVersionDigestAsync(string model, int number, ContentDigest digest)
    {
        ((InMemoryModelRegistryStore)Services.GetRequiredService<ModelRegistryStore>()).TamperDigest(model, number, digest);
        return Task.CompletedTask;
    }

    protected override Task EditAuditEntryAsync(long sequence)
    {
        Log.Tamper(sequence, e => e with { Actor = "mallory" });
        return Task.CompletedTask;
    }

    protected override Task DeleteAuditEntryAsync(long sequence)
    {
        Log.Remove(sequence);
        return Task.CompletedTask;
    }

    protected override Task SwapAuditEntriesAsync(long first, long second)
    {
        Log.Swap(first, second);
        return Task.CompletedTask;
    }
}

public sealed class InMemoryDatasetConformanceTests : DatasetConformanceTests
{
    protected override void ConfigureProvider(IMlOpsBuilder builder) => builder.UseInMemoryStores();

    protected override Task TamperFilePathAsync(string name, int version, string oldPath, string newPath)
    {
        ((InMemoryDatasetStore)Services.GetRequiredService<DatasetStore>()).TamperPath(name, version, oldPath, newPath);
        return Task.CompletedTask;
    }
}

public sealed class InMemoryStateStoreConformanceTests : StateStoreConformanceTests
{
    protected override void ConfigureProvider(IMlOpsBuilder builder) => builder.UseInMemoryStores();
}
