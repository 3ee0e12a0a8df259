using Microsoft.Extensions.DependencyInjection;
using MlOps.Sdk.Storage.Conformance;
using MlOps.Sdk.Versioning;
using Xunit;

namespace MlOps.Sdk.Serving.Tests;

public sealed class TrimmingTests(MlNetModelFixture mlNet) : IClassFixture<MlNetModelFixture>
{
    [Fact]
    public async Task TrimmedMlNetExport_NeedsNoLabel_AndComputesWhatTheWholeModelComputes()
    {
        await using var trimmed = await StartAsync(trim: true);
        await using var whole = await StartAsync(trim: false);
        var withoutLabel = trimmed.GetRequiredService<ModelHost<Features, Probability>>();
        var withLabel = whole.GetRequiredService<ModelHost<MlNetModelFixture.Row, Probability>>();
        var random = new Random(11);

        for (var i = 0; i < 100; i++)
        {
            var row = new MlNetModelFixture.Row { A = (float)random.NextDouble(), B = (float)random.NextDouble(), C = (float)random.NextDouble(), D = (float)random.NextDouble() };
            Assert.Equal(
                withLabel.Predict(row).Value,
                withoutLabel.Predict(new Features { A = row.A, B = row.B, C = row.C, D = row.D }).Value);
        }
    }

    [Fact]
    public async Task TensorApi_OffersTheOutputsTheModelComputes()
    {
        await using var trimmed = await StartAsync(trim: true);
        await using var whole = await StartAsync(trim: false);

        var error = Assert.Throws<ModelInputException>(() => trimmed.GetRequiredService<ModelHost<Features, Probability>>().CreateTensors(1, "Score.output"));
        using var tensors = whole.GetRequiredService<ModelHost<MlNetModelFixture.Row, Probability>>().CreateTensors(1, "Score.output", "Probability.output");

        Assert.Equal("Score.output", error.Input);
        Assert.Equal(["Score.output", "Probability.output"], tensors.OutputNames);
    }

    private async Task<ServiceProvider> StartAsync(bool trim)
    {
        var services = new ServiceCollection();
        var builder = services.AddMlOps().AddModelRegistry().UseInMemoryStores();
        if (trim)
        {
            builder.AddModelHost<Features, Probability>("classifier", h => h.PinVersion(1));
        }
        else
        {
            builder.AddModelHost<MlNetModelFixture.Row, Probability>("classifier", h => h.PinVersion(1));
            services.Configure<ServingOptions>(o => o.TrimUnreadOutputs = false);
        }

        var provider = services.BuildServiceProvider();
        await provider.GetRequiredService<ModelRegistry>().RegisterModelAsync("classifier", new MemoryStream(mlNet.Bytes));
        foreach (var starter in provider.GetServices<Microsoft.Extensions.Hosting.IHostedService>())
        {
            await starter.StartAsync(CancellationToken.None);
        }

        return provider;
    }

    public sealed class Features
    {
        public float A { get; set; }

        public float B { get; set; }

        public float C { get; set; }

        public float D { get; set; }
    }

    public sealed class Probability
    {
        [ModelOutput("Probability.output")]
        public float Value { get; set; }
    }
}
