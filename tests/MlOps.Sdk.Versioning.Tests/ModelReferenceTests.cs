using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit;

namespace MlOps.Sdk.Versioning.Tests;

public sealed class ModelReferenceTests
{
    [Theory]
    [InlineData("fraud@production", "fraud", "production", null)]
    [InlineData("team/fraud@canary-2", "team/fraud", "canary-2", null)]
    [InlineData("fraud/12", "fraud", null, 12)]
    [InlineData("team/fraud/3", "team/fraud", null, 3)]
    public void Parse_ValidReference_ReadsItsParts(string text, string model, string? alias, int? version)
    {
        var reference = ModelReference.Parse(text);

        Assert.Equal(new ModelReference(model, alias, version), reference);
        Assert.Equal(text, reference.ToString());
    }

    [Fact]
    public void AddModelRegistry_SignaturePolicyWithoutTrustedKey_FailsValidation()
    {
        var services = new ServiceCollection();
        services.AddMlOps().AddModelRegistry(r => r.RequireSignatureFor("production")).UseInMemoryStores();
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<ModelRegistry>());

        Assert.Contains("TrustSigningKey", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddModelRegistry_WithoutStore_ExplainsWhatToAdd()
    {
        var services = new ServiceCollection();
        services.AddMlOps().AddModelRegistry();
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<MlOpsException>(() => provider.GetRequiredService<ModelRegistry>());

        Assert.Contains("UseSqlite()", error.Message, StringComparison.Ordinal);
    }
}
