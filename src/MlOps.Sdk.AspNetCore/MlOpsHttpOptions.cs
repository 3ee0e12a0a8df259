namespace MlOps.Sdk.AspNetCore;

/// <summary>Limits and names shared by every MlOps.Sdk endpoint; set with <c>AddMlOpsHttp</c>.</summary>
public sealed class MlOpsHttpOptions
{
    /// <summary>The largest request body accepted, in bytes; a larger one is answered 413. 1 MiB by default.</summary>
    public long MaxRequestBodySize { get; set; } = 1 << 20;

    /// <summary>The most inputs of one batch prediction; more is answered 400. 1,000 by default.</summary>
    public int MaxBatchSize { get; set; } = 1_000;

    /// <summary>The request header whose value picks a canary or A/B variant (a user or session id). <c>MlOps-Routing-Key</c> by default.</summary>
    public string RoutingKeyHeader { get; set; } = "MlOps-Routing-Key";

    /// <summary>
    /// Requests each client may make per <see cref="RateLimitWindow"/> on every MlOps.Sdk endpoint but health, counted
    /// per authenticated name (else per remote address) by a fixed-window limiter of <c>System.Threading.RateLimiting</c>;
    /// more is answered 429 with <c>Retry-After</c>. Zero (the default) sets no limit here, for applications that apply
    /// their own ASP.NET Core rate-limiting policy to the returned endpoint builders (<c>RequireRateLimiting</c>).
    /// </summary>
    public int RateLimitPermits { get; set; }

    /// <summary>The window of <see cref="RateLimitPermits"/>; one second by default.</summary>
    public TimeSpan RateLimitWindow { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The most points a metric history read returns: longer series are downsampled to buckets (min, max, last). 2,000 by default.</summary>
    public int MaxMetricPoints { get; set; } = 2_000;
}
