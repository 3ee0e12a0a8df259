using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MlOps.Sdk.Serving;
using MlOps.Sdk.Versioning;

namespace MlOps.Sdk.AspNetCore.Http;

/// <summary>
/// An RFC 9457 problem: what went wrong, said for the caller, with the field at fault when there is one. Never a stack
/// trace, a type name or a path on the server. Every problem also carries <c>error</c>, the Open Inference Protocol's
/// error member, so that one body answers both kinds of client.
/// </summary>
internal sealed record Problem(int Status, string Title, string Detail, string? Field = null)
{
    public const string ContentType = "application/problem+json";

    /// <summary>Seconds for the <c>Retry-After</c> header of a 429 or 503.</summary>
    public int? RetryAfterSeconds { get; init; }

    /// <summary>Turns what a handler threw into a problem; null for an exception that must become a 500 (and be logged).</summary>
    public static Problem? From(Exception error, long maxBodySize) => error switch
    {
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => TooLarge(maxBodySize),
        BadHttpRequestException bad => new(bad.StatusCode, "Bad request", "The request could not be read."),
        RequestException request => request.Problem,
        JsonException json => FromJson(json),
        ModelInputException input => new(StatusCodes.Status400BadRequest, "The input does not fit the model", input.Message, input.Input),
        ModelMappingException => null,
        ModelNotLoadedException notLoaded => new(StatusCodes.Status503ServiceUnavailable, "The model is not loaded", $"Model '{notLoaded.Model}' has no version loaded yet; try again shortly.") { RetryAfterSeconds = 1 },
        GovernanceException governance => new(StatusCodes.Status403Forbidden, "Refused by a registry policy", governance.Message),
        MlOpsNotFoundException notFound => new(StatusCodes.Status404NotFound, "Not found", notFound.Message),
        MlOpsConflictException conflict => new(StatusCodes.Status409Conflict, "Conflict", conflict.Message),
        MlOpsValidationException invalid => new(StatusCodes.Status400BadRequest, "Invalid request", invalid.Message),
        _ => null,
    };

    public static Problem TooLarge(long maxBodySize) =>
        new(StatusCodes.Status413PayloadTooLarge, "The request body is too large", $"The body is larger than the limit of {maxBodySize} bytes.");

    public static Problem Internal(string traceId) =>
        new(StatusCodes.Status500InternalServerError, "The server failed to process the request", $"The failure is logged under trace id {traceId}.");

    /// <summary>
    /// System.Text.Json says where the body went wrong (<see cref="JsonException.Path"/>); its message names .NET types,
    /// so the detail is written here instead. A missing <c>required</c> member is named from the message's list.
    /// </summary>
    private static Problem FromJson(JsonException json)
    {
        const string Missing = "missing required properties including: ";
        var message = json.Message;
        var missing = message.IndexOf(Missing, StringComparison.Ordinal);
        if (missing >= 0)
        {
            var names = message[(missing + Missing.Length)..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(n => n.Trim('\'', '.', ' ')).ToArray();
            var field = names.Length == 0 ? "$" : $"$.{names[0]}";
            return new(StatusCodes.Status400BadRequest, "A required field is missing", $"The body lacks the required field{(names.Length == 1 ? "" : "s")} {string.Join(", ", names.Select(n => $"'{n}'"))}.", field);
        }

        // The reader's own exception (a subclass, thrown or wrapped by the serializer) means the text is not JSON; the
        // serializer's own means a value does not fit its field.
        var path = string.IsNullOrEmpty(json.Path) ? "$" : json.Path;
        return json.GetType() != typeof(JsonException) || json.InnerException is JsonException
            ? new(StatusCodes.Status400BadRequest, "The body is not valid JSON", $"The body is not valid JSON (line {json.LineNumber + 1}, byte {json.BytePositionInLine + 1}).", path)
            : new(StatusCodes.Status400BadRequest, "A field has the wrong type", $"The value at '{path}' is not valid for that field.", path);
    }

    public async Task WriteAsync(HttpContext context)
    {
        var response = context.Response;
        if (response.HasStarted)
        {
            context.Abort();
            return;
        }

        response.Clear();
        response.StatusCode = Status;
        response.ContentType = ContentType;
        if (RetryAfterSeconds is { } seconds)
        {
            response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var writer = new Utf8JsonWriter(response.BodyWriter);
        await using (writer.ConfigureAwait(false))
        {
            writer.WriteStartObject();
            writer.WriteString("type", TypeUri(Status));
            writer.WriteString("title", Title);
            writer.WriteNumber("status", Status);
            writer.WriteString("detail", Detail);
            writer.WriteString("instance", context.Request.Path.Value);
            if (Field is not null)
            {
                writer.WriteString("field", Field);
            }

            writer.WriteString("traceId", context.TraceIdentifier);
            writer.WriteString("error", Field is null ? Detail : $"{Field}: {Detail}");
            writer.WriteEndObject();
        }

        await response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>The section of RFC 9110 (RFC 6585 for 429) that defines the status, as ASP.NET Core's own problems say; else <c>about:blank</c>.</summary>
    private static string TypeUri(int status) => status switch
    {
        400 => "https://tools.ietf.org/html/rfc9110#section-15.5.1",
        401 => "https://tools.ietf.org/html/rfc9110#section-15.5.2",
        403 => "https://tools.ietf.org/html/rfc9110#section-15.5.4",
        404 => "https://tools.ietf.org/html/rfc9110#section-15.5.5",
        409 => "https://tools.ietf.org/html/rfc9110#section-15.5.10",
        413 => "https://tools.ietf.org/html/rfc9110#section-15.5.14",
        429 => "https://tools.ietf.org/html/rfc6585#section-4",
        500 => "https://tools.ietf.org/html/rfc9110#section-15.6.1",
        503 => "https://tools.ietf.org/html/rfc9110#section-15.6.4",
        _ => "about:blank",
    };

    /// <summary>Runs a handler; what it throws is answered as a problem (a 500 logged with its exception, never shown).</summary>
    public static async Task GuardAsync(HttpContext context, long maxBodySize, Func<HttpContext, Task> handler)
    {
        try
        {
            await handler(context).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is nobody to answer.
        }
        catch (Exception error)
        {
            var problem = From(error, maxBodySize);
            if (problem is null)
            {
                var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("MlOps.Sdk.AspNetCore");
                HttpLog.HandlerFailed(logger, context.Request.Method, context.Request.Path.Value ?? "", context.TraceIdentifier, error);
                problem = Internal(context.TraceIdentifier);
            }

            await problem.WriteAsync(context).ConfigureAwait(false);
        }
    }
}

/// <summary>A request the endpoint itself found wrong, with the problem to answer.</summary>
internal sealed class RequestException(Problem problem) : Exception(problem.Detail)
{
    public Problem Problem { get; } = problem;

    public static RequestException BadRequest(string title, string detail, string? field = null) => new(new(StatusCodes.Status400BadRequest, title, detail, field));

    public static RequestException NotFound(string detail) => new(new(StatusCodes.Status404NotFound, "Not found", detail));
}

internal static partial class HttpLog
{
    [LoggerMessage(EventId = 6001, Level = LogLevel.Error, Message = "{Method} {Path} failed (trace id {TraceId}); the caller got a 500 without details.")]
    public static partial void HandlerFailed(ILogger logger, string method, string path, string traceId, Exception error);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Warning, Message = "{Actor} was refused {Action} on {Subject}: {Reason}")]
    public static partial void Refused(ILogger logger, string actor, string action, string subject, string reason);
}
