using Microsoft.Extensions.Logging;
using MlOps.Sdk.Versioning;
using Polly;

namespace MlOps.Sdk.Serving.Hosting;

/// <summary>What a host and the hosts behind its variants and shadow share.</summary>
/// <param name="Registry">Where versions and aliases are read.</param>
/// <param name="Serving">How sessions are made.</param>
/// <param name="Time">The host's clock.</param>
/// <param name="Logger">The host's log.</param>
/// <param name="Telemetry">The serving meters.</param>
/// <param name="LoadPipeline">The <see cref="MlOpsResiliencePipelines.ModelLoad"/> pipeline.</param>
internal sealed record HostServices(ModelRegistry Registry, ServingOptions Serving, TimeProvider Time, ILogger Logger, ServingTelemetry Telemetry, ResiliencePipeline LoadPipeline);
