using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;

namespace MlOps.Sdk.AspNetCore.Dashboard;

/// <summary>The dashboard's files (a page, its script modules and style sheet), read once from this assembly; the page learns the API's prefix from a meta tag.</summary>
internal sealed class DashboardAssets
{
    private const string SecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
    private readonly Dictionary<string, (byte[] Content, string Type, string ETag)> _files = new(StringComparer.Ordinal);

    public DashboardAssets(string api)
    {
        const string Prefix = "MlOps.Sdk.AspNetCore.Dashboard.";
        var assembly = typeof(DashboardAssets).Assembly;
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            var name = resource[Prefix.Length..];
            var type = Path.GetExtension(name) switch
            {
                ".html" => "text/html; charset=utf-8",
                ".js" => "text/javascript; charset=utf-8",
                _ => "text/css; charset=utf-8",
            };
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            var text = reader.ReadToEnd();
            if (name == "index.html")
            {
                text = text.Replace("<meta charset=\"utf-8\">", $"<meta charset=\"utf-8\">\n  <meta name=\"mlops-api\" content=\"{WebUtility.HtmlEncode(api.TrimEnd('/'))}\">", StringComparison.Ordinal);
            }

            var content = System.Text.Encoding.UTF8.GetBytes(text);
            _files[name] = (content, type, "\"" + Convert.ToHexStringLower(SHA256.HashData(content))[..16] + "\"");
        }
    }

    /// <summary>The files besides the page itself.</summary>
    public IEnumerable<string> Files => _files.Keys.Where(name => name != "index.html");

    public Task WriteAsync(HttpContext context, string name)
    {
        var (content, type, etag) = _files[name];
        var response = context.Response;
        var headers = response.Headers;
        headers.ContentSecurityPolicy = SecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-cache";
        headers.ETag = etag;
        if (context.Request.Headers.IfNoneMatch == etag)
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }

        response.ContentType = type;
        response.ContentLength = content.Length;
        return response.Body.WriteAsync(content, context.RequestAborted).AsTask();
    }
}
