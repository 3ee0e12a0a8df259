using Microsoft.Extensions.DependencyInjection;
using MlOps.Sdk.Storage.Conformance;
using MlOps.Sdk.Versioning;
using Xunit;

namespace MlOps.Sdk.Serving.Tests;

public sealed class TensorApiTests : IAsyncLifetime
{
    private ServiceProvider _services = null!;

    private ModelRegistry Registry => _services.GetRequiredService<ModelRegistry>();

    public Task InitializeAsync()
    {
        var services = new ServiceCollection();
        services.AddMlOps().AddModelRegistry()
            .AddModelHost<MlpRow, MlpScore>("mlp", h => h.PinVersion(1))
            .AddModelHost<ModelHostTests.VectorIn, ModelHostTests.VectorOut>("adder", h => h.PinVersion(1))
            .UseInMemoryStores();
        _services = services.BuildServiceProvider();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _services.DisposeAsync();

    [Fact]
    public async Task Run_GivesWhatTypedPredictGives_WithoutAllocating()
    {
        var host = _services.GetRequiredKeyedService<ModelHost<MlpRow, MlpScore>>("mlp");
        Assert.True(await host.SwapToAsync(await Registry.RegisterModelAsync("mlp", new MemoryStream(OnnxModels.Mlp(10, [32, 16])))));
        using var tensors = host.CreateTensors();
        var random = new Random(4);

        for (var i = 0; i < 100; i++)
        {
            var row = MlpRow.Random(random);
            row.Features.CopyTo(tensors.Input<float>("X"));

            var version = host.Run(tensors);

            Assert.Equal(1, version.Number);
            Assert.Equal(host.Predict(row).Score, tensors.Output<float>("Y")[0]);
        }

        Assert.Equal(0, Allocations.Fewest(warmUp: 100, times: 1000, _ => host.Run(tensors)));
    }

    [Fact]
    public async Task Run_AfterASwap_RebindsToTheNewVersion_AndABatchKeepsRowsApart()
    {
        var host = _services.GetRequiredKeyedService<ModelHost<ModelHostTests.VectorIn, ModelHostTests.VectorOut>>("adder");
        Assert.True(await host.SwapToAsync(await Registry.RegisterModelAsync("adder", new MemoryStream(OnnxModels.AddConstant(1f, 4)))));
        using var tensors = host.CreateTensors(batchSize: 2);
        float[] rows = [1, 2, 3, 4, 10, 20, 30, 40];
        rows.CopyTo(tensors.Input<float>("X"));

        Assert.Equal(1, host.Run(tensors).Number);
        Assert.Equal([2f, 3f, 4f, 5f, 11f, 21f, 31f, 41f], tensors.Output<float>("Y").ToArray());

        Assert.True(await host.SwapToAsync(await Registry.RegisterModelAsync("adder", new MemoryStream(OnnxModels.AddConstant(2f, 4)))));
        Assert.Equal(2, host.Run(tensors).Number);
        Assert.Equal([3f, 4f, 5f, 6f, 12f, 22f, 32f, 42f], tensors.Output<float>("Y").ToArray());
    }

    [Fact]
    public async Task Tensors_WrongNameTypeOrShape_GiveATypedErrorNamingTheTensor_AndTheHostKeepsServing()
    {
        var host = _services.GetRequiredKeyedService<ModelHost<ModelHostTests.VectorIn, ModelHostTests.VectorOut>>("adder");
        Assert.True(await host.SwapToAsync(await Registry.RegisterModelAsync("adder", new MemoryStream(OnnxModels.AddConstant(1f, 4)))));
        using var tensors = host.CreateTensors();

        var wrongName = Assert.Throws<ModelInputException>(() => tensors.Input<float>("x"));
        var wrongType = Assert.Throws<ModelInputException>(() => tensors.Input<double>("X"));
        var noOutput = Assert.Throws<ModelInputException>(() => host.CreateTensors(1, "Z"));

        Assert.Equal("x", wrongName.Input);
        Assert.Contains("X", wrongName.Message, StringComparison.Ordinal);
        Assert.Equal("X", wrongType.Input);
        Assert.Contains("Single", wrongType.Message, StringComparison.Ordinal);
        Assert.Equal("Z", noOutput.Input);

        // A version of another width serves: tensors made for width 4 are refused by name, new ones work.
        Assert.True(await host.SwapToAsync(await Registry.RegisterModelAsync("adder", new MemoryStream(OnnxModels.AddConstant(1f, 6)))));
        var stale = Assert.Throws<ModelInputException>(() => host.Run(tensors));
        Assert.Equal("X", stale.Input);
        using var fresh = host.CreateTensors();
        Assert.Equal(6, fresh.Input<float>("X").Length);
        Assert.Equal(2, host.Run(fresh).Number);
        Assert.Equal([7f, 8f, 9f, 10f, 11f, 12f], host.Predict(new ModelHostTests.VectorIn { X = [6, 7, 8, 9, 10, 11] }).Y!);
    }

    [Fact]
    public async Task Tensors_AfterDispose_AreRefused()
    {
        var host = _services.GetRequiredKeyedService<ModelHost<ModelHostTests.VectorIn, ModelHostTests.VectorOut>>("adder");
        Assert.True(await host.SwapToAsync(await Registry.RegisterModelAsync("adder", new MemoryStream(OnnxModels.AddConstant(1f, 4)))));
        var tensors = host.CreateTensors();
        host.Run(tensors);
        tensors.Dispose();

        Assert.Throws<ObjectDisposedException>(() => host.Run(tensors));
    }
}
