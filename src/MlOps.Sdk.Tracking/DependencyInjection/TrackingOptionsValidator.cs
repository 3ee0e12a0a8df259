using Microsoft.Extensions.Options;

namespace MlOps.Sdk.Tracking.DependencyInjection;

[OptionsValidator]
internal sealed partial class TrackingOptionsValidator : IValidateOptions<TrackingOptions>;
