using Microsoft.Extensions.Options;

namespace MlOps.Sdk.Storage.S3.DependencyInjection;

[OptionsValidator]
internal sealed partial class S3ArtifactStoreOptionsValidator : IValidateOptions<S3ArtifactStoreOptions>;
