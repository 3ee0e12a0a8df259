using Microsoft.Extensions.DependencyInjection;

namespace MlOps.Sdk.DependencyInjection;

internal sealed class MlOpsBuilder(IServiceCollection services) : IMlOpsBuilder
{
    public IServiceCollection Services { get; } = services;
}
