using Microsoft.Extensions.Options;

namespace MlOps.Sdk.Serving.DependencyInjection;

[OptionsValidator]
internal sealed partial class ServingOptionsValidator : IValidateOptions<ServingOptions>;

[OptionsValidator]
internal sealed partial class ModelHostOptionsValidator : IValidateOptions<ModelHostOptions>;
