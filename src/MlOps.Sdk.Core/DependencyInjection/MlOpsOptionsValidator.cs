using Microsoft.Extensions.Options;

namespace MlOps.Sdk.DependencyInjection;

[OptionsValidator]
internal sealed partial class MlOpsOptionsValidator : IValidateOptions<MlOpsOptions>;
