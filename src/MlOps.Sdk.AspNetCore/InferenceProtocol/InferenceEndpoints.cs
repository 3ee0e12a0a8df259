using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using MlOps.Sdk.AspNetCore.Http;
using MlOps.Sdk.Serving;
using MlOps.Sdk.Versioning;

namespace MlOps.Sdk.AspNetCore.InferenceProtocol;

/// <summary>The protocol's handlers. A health answer is 200 for true and 400 for false, as the protocol says.</summary>
internal sealed class InferenceEndpoints(MlOpsHttpOptions options)
{
    private readonly Provenance _provenance = new();

    private static readonly string ServerVersion = typeof(InferenceEndpoints).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    public static Task LiveAsync(HttpContext context) => WriteAsync(context, StatusCodes.Status200OK, w => w.WriteBoolean("live", true));

    /// <summary>Ready when every model host serves a version (their health checks, tag <c>model</c>).</summary>
    public static async Task ReadyAsync(HttpContext context)
    {
        var ready = true;
        if (context.RequestServices.GetService<HealthCheckService>() is { } health)
        {
            var report = await health.CheckHealthAsync(c => c.Tags.Contains("model"), context.RequestAborted).ConfigureAwait(false);
            ready = report.Status != HealthStatus.Unhealthy;
        }

        await WriteAsync(context, ready ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest, w => w.WriteBoolean("ready", ready)).ConfigureAwait(false);
    }

    public static Task ServerMetadataAsync(HttpContext context) => WriteAsync(context, StatusCodes.Status200OK, w =>
    {
        w.WriteString("name", "mlops-sdk");
        w.WriteString("version", ServerVersion);
        w.WriteStartArray("extensions");
        w.WriteEndArray();
    });

    public Task ModelMetadataAsync(HttpContext context)
    {
        var (host, version) = Serving(context);
        var signature = version.Signature ?? throw new RequestException(new(StatusCodes.Status400BadRequest, "The model has no signature", $"{version.Reference} is not an ONNX model with a readable signature."));
        return WriteAsync(context, StatusCodes.Status200OK, w =>
        {
            w.WriteString("name", host.Name);
            w.WriteStartArray("versions");
            w.WriteStringValue(version.Number.ToString(CultureInfo.InvariantCulture));
            w.WriteEndArray();
            w.WriteString("platform", "onnx_onnxv1");
            WriteTensors(w, "inputs", signature.Inputs);
            WriteTensors(w, "outputs", signature.Outputs);
        });
    }

    public Task ModelReadyAsync(HttpContext context)
    {
        var host = Host(context);
        var version = host.CurrentVersion;
        var ready = version is not null && (Requested(context) is not { } number || number == version.Number);
        return WriteAsync(context, ready ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest, w =>
        {
            w.WriteString("name", host.Name);
            w.WriteBoolean("ready", ready);
        });
    }

    public async Task InferAsync(HttpContext context)
    {
        var host = Host(context);
        if (Requested(context) is { } number && host.CurrentVersion is { } current && current.Number != number)
        {
            throw RequestException.NotFound($"Model '{host.Name}' serves version {current.Number}, not {number}.");
        }

        InferenceRequest request;
        using (var body = await RequestBody.ReadAsync(context, options.MaxRequestBodySize).ConfigureAwait(false))
        {
            request = InferenceRequestReader.Read(body.Memory);
        }

        var routingKey = context.Request.Headers.TryGetValue(options.RoutingKeyHeader, out var key) && key.Count > 0 ? key[0] : null;
        var prediction = host.PredictWithProvenance(request.Inputs, routingKey);
        var outputs = request.Outputs ?? [.. prediction.Output.Keys];
        foreach (var name in outputs)
        {
            if (!prediction.Output.ContainsKey(name))
            {
                throw InferenceRequestReader.Bad(name, $"Model '{host.Name}' has no output '{name}'; it has {string.Join(", ", prediction.Output.Keys.Select(k => $"'{k}'"))}.");
            }
        }

        _provenance.Write(context.Response, prediction.ModelName, prediction.Version, prediction.Digest, prediction.Variant);
        await WriteAsync(context, StatusCodes.Status200OK, w =>
        {
            w.WriteString("model_name", prediction.ModelName);
            w.WriteString("model_version", prediction.Version.ToString(CultureInfo.InvariantCulture));
            if (request.Id is not null)
            {
                w.WriteString("id", request.Id);
            }

            w.WriteStartObject("parameters");
            w.WriteString("mlops_digest", prediction.Digest.ToString());
            w.WriteString("mlops_variant", prediction.Variant);
            w.WriteEndObject();
            w.WriteStartArray("outputs");
            foreach (var name in outputs)
            {
                var tensor = prediction.Output[name];
                w.WriteStartObject();
                w.WriteString("name", name);
                w.WriteString("datatype", OipDataTypes.Name(tensor.DataType));
                w.WriteStartArray("shape");
                foreach (var length in tensor.Shape)
                {
                    w.WriteNumberValue(length);
                }

                w.WriteEndArray();
                w.WriteStartArray("data");
                TensorElements.Write(w, tensor);
                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }).ConfigureAwait(false);
    }

    private static void WriteTensors(Utf8JsonWriter w, string property, IReadOnlyList<Versioning.Onnx.TensorSignature> tensors)
    {
        w.WriteStartArray(property);
        foreach (var tensor in tensors)
        {
            w.WriteStartObject();
            w.WriteString("name", tensor.Name);
            w.WriteString("datatype", OipDataTypes.FromOnnx(tensor.ElementType));
            w.WriteStartArray("shape");
            foreach (var dim in tensor.Shape)
            {
                w.WriteNumberValue(dim.Size ?? -1);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static ModelHost Host(HttpContext context)
    {
        var name = (string)context.Request.RouteValues["name"]!;
        return context.RequestServices.GetKeyedService<ModelHost>(name)
            ?? throw RequestException.NotFound($"No model named '{name}' is served over this protocol.");
    }

    private static (ModelHost Host, ModelVersion Version) Serving(HttpContext context)
    {
        var host = Host(context);
        var version = host.CurrentVersion ?? throw new ModelNotLoadedException(host.Name, "no version is loaded yet");
        if (Requested(context) is { } number && number != version.Number)
        {
            throw RequestException.NotFound($"Model '{host.Name}' serves version {version.Number}, not {number}.");
        }

        return (host, version);
    }

    private static int? Requested(HttpContext context) =>
        context.Request.RouteValues.TryGetValue("version", out var value) && value is string text
            ? int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? number : throw RequestException.NotFound($"'{text}' is not a version number.")
            : null;

    private static Task WriteAsync(HttpContext context, int status, Action<Utf8JsonWriter> body) =>
        JsonResponse.WriteAsync(context, status, body, static (writer, body) =>
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        });
}
