using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MlOps.Sdk.AspNetCore;
using MlOps.Sdk.AspNetCore.Http;
using MlOps.Sdk.AspNetCore.Management;
using MlOps.Sdk.AspNetCore.Prediction;
using MlOps.Sdk.Monitoring;
using MlOps.Sdk.Serving;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps prediction endpoints over a model host.</summary>
public static class ModelEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps <c>POST {prefix}/predict</c> (one <typeparamref name="TIn"/> as JSON in, one <typeparamref name="TOut"/> out)
    /// and <c>POST {prefix}/predict/batch</c> (a JSON array in, an array out, computed by one version) over the keyed
    /// <see cref="ModelHost{TIn, TOut}"/> <paramref name="name"/>. The prefix is <c>/models/{name}</c> unless given.
    /// Each response names what computed it in the headers <c>MlOps-Model</c>, <c>MlOps-Model-Version</c>,
    /// <c>MlOps-Model-Digest</c> and <c>MlOps-Model-Variant</c>; the header <see cref="MlOpsHttpOptions.RoutingKeyHeader"/>
    /// picks a canary or A/B variant. The endpoints require the <see cref="MlOpsPolicies.Predict"/> policy: call
    /// <c>AllowAnonymous()</c> on the returned builder to open them. JSON goes through the application's
    /// <c>ConfigureHttpJsonOptions</c> resolvers (add a source-generated context for the two types); the type information
    /// is looked up once, here.
    /// </summary>
    /// <exception cref="InvalidOperationException"><c>AddMlOpsHttp</c> was not called, no such host is registered, or the JSON options know neither type.</exception>
    public static RouteGroupBuilder MapModel<TIn, TOut>(this IEndpointRouteBuilder endpoints, string name, string? prefix = null)
        where TOut : new()
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrEmpty(name);
        var handler = new EndpointHandler(endpoints);
        var services = endpoints.ServiceProvider;
        var host = services.GetKeyedService<ModelHost<TIn, TOut>>(name)
            ?? throw new InvalidOperationException($"No model host for {typeof(TIn).Name} -> {typeof(TOut).Name} is registered as '{name}': add it with AddModelHost<{typeof(TIn).Name}, {typeof(TOut).Name}>(\"{name}\", ...).");
        services.GetRequiredService<MappedModels>().Add(name, host, services.GetKeyedService<ModelMonitor<TIn, TOut>>(name));
        // The application's options, but floats that JSON cannot write (a model's NaN or infinity) go out as the
        // strings "NaN", "Infinity" and "-Infinity" instead of failing the response.
        var json = new JsonSerializerOptions(services.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions);
        json.NumberHandling |= System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals;
        var endpoint = new ModelEndpoint<TIn, TOut>(host, TypeInfo<TIn>(json), TypeInfo<TOut>(json), handler.Options);
        var group = endpoints.MapGroup(prefix ?? $"/models/{name}");
        group.RequireAuthorization(MlOpsPolicies.Predict).WithTags($"model {name}");
        group.MapPost("/predict", handler.Wrap(endpoint.PredictAsync))
            .WithName($"mlops-predict-{name}")
            .WithSummary($"Predicts with model '{name}'")
            .Accepts(typeof(TIn), "application/json")
            .Produces(StatusCodes.Status200OK, typeof(TOut), "application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        group.MapPost("/predict/batch", handler.Wrap(endpoint.PredictBatchAsync))
            .WithName($"mlops-predict-batch-{name}")
            .WithSummary($"Predicts a batch with model '{name}', in one call to one version")
            .Accepts(typeof(TIn[]), "application/json")
            .Produces(StatusCodes.Status200OK, typeof(TOut[]), "application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return group;
    }

    private static JsonTypeInfo<T> TypeInfo<T>(JsonSerializerOptions options)
    {
        try
        {
            return (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));
        }
        catch (NotSupportedException e)
        {
            throw new InvalidOperationException(
                $"The application's JSON options cannot serialize {typeof(T).Name}: add a JsonSerializerContext that lists it with builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, YourContext.Default)).",
                e);
        }
    }
}
