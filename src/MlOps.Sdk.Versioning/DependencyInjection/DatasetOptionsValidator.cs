using Microsoft.Extensions.Options;

namespace MlOps.Sdk.Versioning.DependencyInjection;

[OptionsValidator]
internal sealed partial class DatasetOptionsValidator : IValidateOptions<DatasetOptions>;
