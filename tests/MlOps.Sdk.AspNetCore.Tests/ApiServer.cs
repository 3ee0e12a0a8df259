using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using MlOps.Sdk.AspNetCore.Security;

namespace MlOps.Sdk.AspNetCore.Tests;

/// <summary>
/// A real Kestrel server on 127.0.0.1 (a free port), with JWT bearer authentication over a symmetric key and the API-key
/// scheme, and the application's MlOps.Sdk services and endpoints as each test sets them up.
/// </summary>
internal sealed class ApiServer : IAsyncDisposable
{
    private static readonly SymmetricSecurityKey SigningKey = new(Encoding.UTF8.GetBytes("mlops-sdk-tests-signing-key-0123456789abcdef"));
    private readonly WebApplication _app;
    private readonly List<HttpClient> _clients = [];

    private ApiServer(WebApplication app, Uri address, string root)
    {
        _app = app;
        Address = address;
        Root = root;
    }

    public Uri Address { get; }

    public string Root { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>Starts a server; <paramref name="services"/> adds the SDK's services, <paramref name="map"/> maps endpoints.</summary>
    public static async Task<ApiServer> StartAsync(Action<IServiceCollection, string> services, Action<WebApplication> map, Action<ApiKeyAuthenticationOptions>? apiKeys = null, Func<string, Task>? seed = null)
    {
        var root = Path.Combine(Path.GetTempPath(), "mlops-http-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(root);
        if (seed is not null)
        {
            await seed(root);
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        if (Environment.GetEnvironmentVariable("MLOPS_TEST_LOG") == "1")
        {
            builder.Logging.AddConsole();
        }

        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer(o =>
            {
                o.MapInboundClaims = false;
                o.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = "tests",
                    ValidAudience = "mlops",
                    IssuerSigningKey = SigningKey,
                    NameClaimType = "name",
                    RoleClaimType = "role",
                };
            })
            .AddMlOpsApiKeys(o => apiKeys?.Invoke(o));
        builder.Services.AddAuthorization(o => o.DefaultPolicy = new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder(JwtBearerDefaults.AuthenticationScheme, ApiKeys.Scheme).RequireAuthenticatedUser().Build());
        services(builder.Services, root);
        var app = builder.Build();
        map(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new ApiServer(app, new Uri(address), root);
    }

    /// <summary>A bearer token for <paramref name="user"/> in <paramref name="roles"/>.</summary>
    public static string Token(string user, params string[] roles)
    {
        var claims = new Dictionary<string, object> { ["name"] = user, ["sub"] = user };
        if (roles.Length > 0)
        {
            claims["role"] = roles;
        }

        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "tests",
            Audience = "mlops",
            Claims = claims,
            Expires = DateTime.UtcNow.AddHours(1),
            SigningCredentials = new SigningCredentials(SigningKey, SecurityAlgorithms.HmacSha256),
        });
    }

    /// <summary>A client on keep-alive connections; signed in as <paramref name="user"/> when given.</summary>
    public HttpClient Client(string? user = null, params string[] roles)
    {
        var client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(30) };
        if (user is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token(user, roles));
        }

        _clients.Add(client);
        return client;
    }

    public HttpClient ApiKeyClient(string key)
    {
        var client = Client();
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        await _app.StopAsync();
        await _app.DisposeAsync();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
