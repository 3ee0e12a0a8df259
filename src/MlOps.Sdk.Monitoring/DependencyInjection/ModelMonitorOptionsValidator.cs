using Microsoft.Extensions.Options;

namespace MlOps.Sdk.Monitoring.DependencyInjection;

[OptionsValidator]
internal sealed partial class ModelMonitorOptionsValidator : IValidateOptions<ModelMonitorOptions>;
