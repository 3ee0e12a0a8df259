using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using MlOps.Sdk.AspNetCore.Http;
using MlOps.Sdk.Serving;

namespace MlOps.Sdk.AspNetCore.Prediction;

/// <summary>The two prediction endpoints of one typed host: read the body whole, predict, write the output and its provenance.</summary>
internal sealed class ModelEndpoint<TIn, TOut>(ModelHost<TIn, TOut> host, JsonTypeInfo<TIn> input, JsonTypeInfo<TOut> output, MlOpsHttpOptions options)
    where TOut : new()
{
    private readonly Provenance _provenance = new();

    public async Task PredictAsync(HttpContext context)
    {
        TIn value;
        using (var body = await RequestBody.ReadAsync(context, options.MaxRequestBodySize).ConfigureAwait(false))
        {
            value = JsonSerializer.Deserialize(body.Span, input) ?? throw RequestException.BadRequest("The body is null", "The body must be a JSON object, not null.", "$");
        }

        var prediction = host.PredictWithProvenance(value, RoutingKey(context));
        _provenance.Write(context.Response, prediction.ModelName, prediction.Version, prediction.Digest, prediction.Variant);
        await JsonResponse.WriteAsync(context, StatusCodes.Status200OK, (prediction.Output, output), static (writer, s) => JsonSerializer.Serialize(writer, s.Output, s.output)).ConfigureAwait(false);
    }

    public async Task PredictBatchAsync(HttpContext context)
    {
        TIn[] values;
        using (var body = await RequestBody.ReadAsync(context, options.MaxRequestBodySize).ConfigureAwait(false))
        {
            values = ReadArray(body.Span);
        }

        var prediction = host.PredictBatchWithProvenance(values, RoutingKey(context));
        _provenance.Write(context.Response, prediction.ModelName, prediction.Version, prediction.Digest, prediction.Variant);
        await JsonResponse.WriteAsync(context, StatusCodes.Status200OK, (prediction.Output, output), static (writer, s) =>
        {
            writer.WriteStartArray();
            foreach (var item in s.Output)
            {
                JsonSerializer.Serialize(writer, item, s.output);
            }

            writer.WriteEndArray();
        }).ConfigureAwait(false);
    }

    /// <summary>A JSON array of inputs, each read by the application's type information: no array type needs registering.</summary>
    private TIn[] ReadArray(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
        {
            throw RequestException.BadRequest("The body is not an array", "A batch is a JSON array of inputs.", "$");
        }

        var values = new List<TIn>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (values.Count == options.MaxBatchSize)
            {
                throw RequestException.BadRequest("The batch is too large", $"A batch holds at most {options.MaxBatchSize} inputs.", "$");
            }

            TIn? value;
            try
            {
                value = JsonSerializer.Deserialize(ref reader, input);
            }
            catch (JsonException e) when (Problem.From(e, 0) is { Field: { } field } problem)
            {
                throw new RequestException(problem with { Field = $"$[{values.Count}]{field.TrimStart('$')}", Detail = $"Input {values.Count} of the batch: {problem.Detail}" });
            }

            values.Add(value ?? throw RequestException.BadRequest("An input is null", $"Input {values.Count} of the batch is null.", $"$[{values.Count}]"));
        }

        if (reader.TokenType != JsonTokenType.EndArray || reader.Read())
        {
            throw RequestException.BadRequest("The body is not valid JSON", "The array is not closed, or text follows it.", "$");
        }

        return values.Count == 0
            ? throw RequestException.BadRequest("The batch is empty", "A batch needs at least one input.", "$")
            : [.. values];
    }

    private string? RoutingKey(HttpContext context) =>
        context.Request.Headers.TryGetValue(options.RoutingKeyHeader, out var key) && key.Count > 0 ? key[0] : null;
}
