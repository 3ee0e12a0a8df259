using Microsoft.Extensions.Options;

namespace MlOps.Sdk.Versioning.DependencyInjection;

internal sealed class ModelRegistryOptionsValidator : IValidateOptions<ModelRegistryOptions>
{
    public ValidateOptionsResult Validate(string? name, ModelRegistryOptions options) =>
        (options.SignaturePolicies.Count > 0 || options.RequireSignatureToOpen) && options.TrustedKeys.Count == 0
            ? ValidateOptionsResult.Fail($"RequireSignatureFor({string.Join(", ", options.SignaturePolicies)}) and RequireSignatureToOpen need at least one TrustSigningKey(...); no signature could pass.")
            : ValidateOptionsResult.Success;
}
