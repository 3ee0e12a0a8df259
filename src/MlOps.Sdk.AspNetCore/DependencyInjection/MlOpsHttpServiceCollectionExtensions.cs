using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using MlOps.Sdk;
using MlOps.Sdk.AspNetCore;
using MlOps.Sdk.AspNetCore.Http;
using MlOps.Sdk.AspNetCore.Management;
using MlOps.Sdk.AspNetCore.Production;
using MlOps.Sdk.AspNetCore.Security;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers what the MlOps.Sdk endpoints need.</summary>
public static class MlOpsHttpServiceCollectionExtensions
{
    /// <summary>
    /// Adds the services of <c>MapModel</c>, <c>MapInferenceProtocol</c>, <c>MapMlOpsManagement</c> and
    /// <c>MapMlOpsHealth</c>: their options, authorization with the four <see cref="MlOpsPolicies"/> (each "an
    /// authenticated caller in the role of the same name" unless the application defines it), and the authenticated
    /// caller as the actor of every registry change made during a request. Authentication stays the application's own
    /// (JWT bearer, cookies, certificates; <see cref="AddMlOpsApiKeys"/> for service callers).
    /// </summary>
    public static IServiceCollection AddMlOpsHttp(this IServiceCollection services, Action<MlOpsHttpOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<MlOpsHttpOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.Validate(o => o.MaxRequestBodySize > 0 && o.MaxBatchSize > 0 && o.RateLimitPermits >= 0 && o.RateLimitWindow > TimeSpan.Zero && o.MaxMetricPoints is >= 10 and <= 100_000 && !string.IsNullOrWhiteSpace(o.RoutingKeyHeader),
            "MlOpsHttpOptions: MaxRequestBodySize, MaxBatchSize and RateLimitWindow must be positive, RateLimitPermits not negative, MaxMetricPoints 10 to 100,000, and RoutingKeyHeader set.").ValidateOnStart();
        if (services.Any(d => d.ServiceType == typeof(ClientRateLimiter)))
        {
            return services;
        }

        services.TryAddSingleton<ClientRateLimiter>();
        services.TryAddSingleton<MappedModels>();
        services.TryAddSingleton<ServingMeters>();
        services.AddMetrics();
        services.AddHttpContextAccessor();
        services.AddAuthorization();
        services.AddHealthChecks();
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Add(ManagementJson.Default));
        services.AddSingleton<IPostConfigureOptions<AuthorizationOptions>, DefaultPolicies>();
        DecorateActorIdentity(services);
        return services;
    }

    /// <summary>
    /// Adds the API-key scheme (<see cref="ApiKeys.Scheme"/>) for service callers: the key in a header, compared by its
    /// SHA-256 hash in constant time; the caller is named and given roles by <see cref="ApiKeyAuthenticationOptions.AddKey"/>.
    /// </summary>
    public static AuthenticationBuilder AddMlOpsApiKeys(this AuthenticationBuilder builder, Action<ApiKeyAuthenticationOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        return builder.AddScheme<ApiKeyAuthenticationOptions, ApiKeyAuthenticationHandler>(ApiKeys.Scheme, configure);
    }

    /// <summary>The actor of registry changes becomes the request's caller; outside requests, what it was.</summary>
    private static void DecorateActorIdentity(IServiceCollection services)
    {
        var previous = services.LastOrDefault(d => d.ServiceType == typeof(IActorIdentity) && !d.IsKeyedService);
        Func<IServiceProvider, IActorIdentity> fallback = previous switch
        {
            null => _ => new EnvironmentIdentity(),
            { ImplementationInstance: IActorIdentity instance } => _ => instance,
            { ImplementationFactory: { } factory } => sp => (IActorIdentity)factory(sp),
            { ImplementationType: { } type } => sp => (IActorIdentity)ActivatorUtilities.CreateInstance(sp, type),
            _ => _ => new EnvironmentIdentity(),
        };
        services.RemoveAll<IActorIdentity>();
        services.AddSingleton<IActorIdentity>(sp => new HttpActorIdentity(sp.GetRequiredService<Microsoft.AspNetCore.Http.IHttpContextAccessor>(), fallback(sp)));
    }

    private sealed class EnvironmentIdentity : IActorIdentity
    {
        public string CurrentActor => Environment.UserName;
    }

    /// <summary>
    /// Each policy the application has not defined: an authenticated caller in the role of its name, authenticated by
    /// the schemes of the application's default policy (say JWT bearer and API keys), or its default scheme.
    /// </summary>
    private sealed class DefaultPolicies : IPostConfigureOptions<AuthorizationOptions>
    {
        public void PostConfigure(string? name, AuthorizationOptions options)
        {
            foreach (var policy in MlOpsPolicies.All)
            {
                if (options.GetPolicy(policy) is null)
                {
                    options.AddPolicy(policy, p => p.AddAuthenticationSchemes([.. options.DefaultPolicy.AuthenticationSchemes]).RequireAuthenticatedUser().RequireRole(policy));
                }
            }
        }
    }
}
