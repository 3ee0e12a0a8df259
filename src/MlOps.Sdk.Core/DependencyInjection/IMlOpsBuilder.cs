using Microsoft.Extensions.DependencyInjection;

namespace MlOps.Sdk;

/// <summary>Returned by <c>AddMlOps()</c>; layers and storage providers hang their registration methods off it.</summary>
public interface IMlOpsBuilder
{
    /// <summary>The service collection being configured.</summary>
    IServiceCollection Services { get; }
}
