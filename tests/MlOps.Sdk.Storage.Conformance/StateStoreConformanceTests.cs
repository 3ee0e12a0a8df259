using Microsoft.Extensions.DependencyInjection;
using MlOps.Sdk.State;
using Xunit;

namespace MlOps.Sdk.Storage.Conformance;

/// <summary>The behaviour every <see cref="StateStore"/> must have.</summary>
public abstract class StateStoreConformanceTests : ProviderTestBase
{
    private StateStore Store => Services.GetRequiredService<StateStore>();

    [Fact]
    public virtual async Task PutGetDelete_RoundTripAndReplaceWholeValues()
    {
        Assert.Null(await Store.GetAsync("monitor/fraud"));

        await Store.PutAsync("monitor/fraud", new byte[] { 1, 2, 3 });
        await Store.PutAsync("monitor/other", new byte[] { 9 });
        await Store.PutAsync("monitor/fraud", new byte[] { 4, 5 });

        Assert.Equal(new byte[] { 4, 5 }, await Store.GetAsync("monitor/fraud"));
        Assert.Equal(new byte[] { 9 }, await Store.GetAsync("monitor/other"));
        Assert.True(await Store.DeleteAsync("monitor/fraud"));
        Assert.False(await Store.DeleteAsync("monitor/fraud"));
        Assert.Null(await Store.GetAsync("monitor/fraud"));
    }

    [Fact]
    public virtual async Task LargeAndEmptyValues_AreKeptExactly()
    {
        var large = new byte[3_000_000];
        new Random(1).NextBytes(large);

        await Store.PutAsync("large", large);
        await Store.PutAsync("empty", ReadOnlyMemory<byte>.Empty);

        var readLarge = await Store.GetAsync("large");
        var readEmpty = await Store.GetAsync("empty");

        Assert.Equal(large, readLarge!);
        Assert.Empty(readEmpty!);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a\nb")]
    public virtual async Task BadKeys_AreRefused(string key)
    {
        await Assert.ThrowsAsync<MlOpsValidationException>(() => Store.PutAsync(key, new byte[] { 1 }));
        await Assert.ThrowsAsync<MlOpsValidationException>(() => Store.PutAsync(new string('k', StateStore.MaxKeyLength + 1), new byte[] { 1 }));
    }
}
