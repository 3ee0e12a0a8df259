using Microsoft.Extensions.Options;

namespace MlOps.Sdk.Storage.AzureBlob.DependencyInjection;

[OptionsValidator]
internal sealed partial class AzureBlobArtifactStoreOptionsValidator : IValidateOptions<AzureBlobArtifactStoreOptions>;
