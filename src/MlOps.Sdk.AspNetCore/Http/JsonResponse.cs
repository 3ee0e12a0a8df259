using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace MlOps.Sdk.AspNetCore.Http;

/// <summary>
/// A JSON response written whole into a buffer before a byte goes out: a value that cannot be written leaves the
/// response untouched (and answered as a problem), and the response carries its Content-Length.
/// </summary>
internal static class JsonResponse
{
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    public static Task WriteAsync<TState>(HttpContext context, int status, TState state, Action<Utf8JsonWriter, TState> write)
    {
        var buffer = t_buffer ?? new ArrayBufferWriter<byte>(1024);
        t_buffer = null;
        buffer.ResetWrittenCount();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer, state);
        }

        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "application/json; charset=utf-8";
        response.ContentLength = buffer.WrittenCount;
        var sent = response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted);
        if (sent.IsCompletedSuccessfully)
        {
            Return(buffer);
            return Task.CompletedTask;
        }

        return AwaitAsync(sent, buffer);

        static async Task AwaitAsync(ValueTask sent, ArrayBufferWriter<byte> buffer)
        {
            await sent.ConfigureAwait(false);
            Return(buffer);
        }
    }

    private static void Return(ArrayBufferWriter<byte> buffer)
    {
        if (buffer.Capacity <= 1 << 20)
        {
            t_buffer = buffer;
        }
    }
}
