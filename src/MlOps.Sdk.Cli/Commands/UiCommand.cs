using System.CommandLine;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MlOps.Sdk.AspNetCore;

namespace MlOps.Sdk.Cli.Commands;

/// <summary>
/// <c>mlops ui</c>: the dashboard over a store, with no application — the <c>mlflow ui</c> experience. It listens on
/// loopback only, and only the browser that opened the link it prints gets in: the link carries a random token, traded
/// once for an HTTP-only, same-site cookie; the person is the user running the tool, with every capability.
/// </summary>
internal static class UiCommand
{
    public static Command Create()
    {
        var port = new Option<int>("--port") { Description = "The loopback port to listen on (0: any free one)", DefaultValueFactory = _ => 5000 };
        var command = new Command("ui", "Serves the dashboard over the store on 127.0.0.1 until Ctrl+C") { port };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseKestrel().UseUrls($"http://127.0.0.1:{parse.GetValue(port)}");
            builder.Logging.ClearProviders();
            var store = parse.GetValue(MlOpsCommand.StoreOption)!;
            var layers = Store.Layers(builder.Services, Store.Root(store, parse.GetValue(MlOpsCommand.ArtifactsOption)), parse.GetValue(MlOpsCommand.ApprovalOption) ?? []);
            Store.UseStore(layers, store, parse.GetValue(MlOpsCommand.SchemaOption)!);
            builder.Services.AddAuthentication(LocalUser.SchemeName).AddScheme<LocalUserOptions, LocalUser>(LocalUser.SchemeName, o => o.Token = token);
            builder.Services.AddMlOpsHttp();
            var app = builder.Build();
            app.MapMlOpsManagement("/mlops/api");
            app.MapMlOpsDashboard("/mlops", "/mlops/api");
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            await Console.Out.WriteLineAsync($"Dashboard: {address}/mlops/?token={token}").ConfigureAwait(false);
            await Console.Out.WriteLineAsync("Open the link in a browser; Ctrl+C stops.").ConfigureAwait(false);
            await Console.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }

            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The user running the tool, once their browser has shown the printed token.</summary>
    private sealed class LocalUser(IOptionsMonitor<LocalUserOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<LocalUserOptions>(options, logger, encoder)
    {
        public const string SchemeName = "MlOpsLocalUser";
        private const string Cookie = "mlops_ui";

        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            var presented = Request.Query["token"].FirstOrDefault() ?? Request.Cookies[Cookie];
            if (presented is null)
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }

            if (!CryptographicOperations.FixedTimeEquals(System.Text.Encoding.ASCII.GetBytes(presented), System.Text.Encoding.ASCII.GetBytes(Options.Token)))
            {
                return Task.FromResult(AuthenticateResult.Fail("The dashboard's token is not this session's."));
            }

            if (Request.Query.ContainsKey("token"))
            {
                Response.Cookies.Append(Cookie, Options.Token, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, Path = "/" });
            }

            var claims = new List<Claim> { new(ClaimTypes.Name, Environment.UserName) };
            claims.AddRange(new[] { MlOpsPolicies.Read, MlOpsPolicies.Promote, MlOpsPolicies.Approve }.Select(role => new Claim(ClaimTypes.Role, role)));
            var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme.Name));
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name)));
        }
    }

    private sealed class LocalUserOptions : AuthenticationSchemeOptions
    {
        public string Token { get; set; } = "";
    }
}
