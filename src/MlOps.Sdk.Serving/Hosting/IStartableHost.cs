namespace MlOps.Sdk.Serving.Hosting;

/// <summary>A host that loads its version and starts following its alias.</summary>
internal interface IStartableHost
{
    Task StartAsync(CancellationToken cancellationToken);
}
