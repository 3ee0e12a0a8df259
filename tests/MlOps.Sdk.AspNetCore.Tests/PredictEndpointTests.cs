using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MlOps.Sdk.AspNetCore.Security;
using MlOps.Sdk.Storage.Conformance;
using Xunit;

namespace MlOps.Sdk.AspNetCore.Tests;

/// <summary>MapModel on a real Kestrel server: secure by default, provenance, limits, and problems that name the field.</summary>
public sealed class PredictEndpointTests
{
    private const string Predict = "/models/adder/predict";

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        var text = problem.GetRawText();
        Assert.DoesNotMatch(@"\bat [\w.`]+\(", text);
        Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
        Assert.DoesNotContain(Path.GetTempPath(), text, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", text, StringComparison.Ordinal);
        return problem;
    }

    [Fact]
    public async Task Anonymous_Gets401_SignedInWithoutThePolicy_Gets403_WithIt_GetsThePredictionAndItsProvenance()
    {
        await using var server = await Scenario.StartAsync();
        const string body = """{"features":[1,2,3,4]}""";

        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Client().PostAsync(Predict, Json(body))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await server.Client("eve", MlOpsPolicies.Read).PostAsync(Predict, Json(body))).StatusCode);

        var response = await server.Client("scorer", MlOpsPolicies.Predict).PostAsync(Predict, Json(body));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var output = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal([2f, 3f, 4f, 5f], output.GetProperty("values").EnumerateArray().Select(v => v.GetSingle()));
        Assert.Equal("adder", response.Headers.GetValues("MlOps-Model").Single());
        Assert.Equal("1", response.Headers.GetValues("MlOps-Model-Version").Single());
        Assert.StartsWith("sha256:", response.Headers.GetValues("MlOps-Model-Digest").Single(), StringComparison.Ordinal);
        Assert.Equal("primary", response.Headers.GetValues("MlOps-Model-Variant").Single());
    }

    [Fact]
    public async Task AllowAnonymous_OpensTheEndpoints_AndTheBatchRunsInOneVersion()
    {
        await using var server = await Scenario.StartAsync(map: app => app.MapModel<Row, Sums>(Scenario.Model).AllowAnonymous());
        var client = server.Client();

        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync(Predict, Json("""{"features":[0,0,0,0]}"""))).StatusCode);
        var batch = await client.PostAsync(Predict + "/batch", Json("""[{"features":[0,0,0,0]},{"features":[1,1,1,1]},{"features":[2,2,2,2]}]"""));
        Assert.Equal(HttpStatusCode.OK, batch.StatusCode);
        var outputs = await batch.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal([1f, 2f, 3f], outputs.EnumerateArray().Select(o => o.GetProperty("values")[0].GetSingle()));
        Assert.Equal("1", batch.Headers.GetValues("MlOps-Model-Version").Single());
        await ProblemAsync(await client.PostAsync(Predict + "/batch", Json("[]")), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task TheRoutingKeyHeader_PinsACallerToAVariant_AndTheHeadersSayWhichComputedIt()
    {
        await using var server = await Scenario.StartAsync(host: h => h.Canary("candidate", percent: 50));
        var registry = server.Services.GetRequiredService<MlOps.Sdk.Versioning.ModelRegistry>();
        var candidate = await registry.RegisterModelAsync(Scenario.Model, new MemoryStream(OnnxModels.AddConstant(2f, 4)));
        await registry.SetAliasAsync(Scenario.Model, "candidate", candidate.Number);
        var client = server.Client("scorer", MlOpsPolicies.Predict);

        async Task<(string Variant, int Version, float Y)> PredictAsync(string key)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, Predict) { Content = Json("""{"features":[0,0,0,0]}""") };
            request.Headers.Add("MlOps-Routing-Key", key);
            using var response = await client.SendAsync(request);
            var y = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("values")[0].GetSingle();
            return (response.Headers.GetValues("MlOps-Model-Variant").Single(), int.Parse(response.Headers.GetValues("MlOps-Model-Version").Single()), y);
        }

        // The canary serves once its host has loaded the candidate; until then its keys fall back to the primary.
        var loaded = false;
        for (var attempt = 0; attempt < 200 && !loaded; attempt++)
        {
            for (var k = 0; k < 20 && !loaded; k++)
            {
                loaded = (await PredictAsync($"probe-{k}")).Variant == "canary";
            }

            await Task.Delay(loaded ? 0 : 100);
        }

        Assert.True(loaded, "The canary never served.");
        var seen = new HashSet<string>();
        for (var k = 0; k < 40; k++)
        {
            var first = await PredictAsync($"user-{k}");
            Assert.Equal(first, await PredictAsync($"user-{k}"));
            Assert.Equal(first.Version, first.Y);
            Assert.Equal(first.Variant == "canary" ? candidate.Number : 1, first.Version);
            seen.Add(first.Variant);
        }

        Assert.Equal(["canary", "primary"], seen.Order());
    }

    [Fact]
    public async Task ABodyOverTheLimit_Gets413_WhetherItsLengthIsDeclaredOrStreamed()
    {
        await using var server = await Scenario.StartAsync(http: o => o.MaxRequestBodySize = 1_000);
        var client = server.Client("scorer", MlOpsPolicies.Predict);
        var large = """{"features":[""" + string.Join(",", Enumerable.Repeat("1.0", 400)) + "]}";

        await ProblemAsync(await client.PostAsync(Predict, Json(large)), HttpStatusCode.RequestEntityTooLarge);
        var streamed = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(large)));
        streamed.Headers.ContentType = new("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, Predict) { Content = streamed };
        request.Headers.TransferEncodingChunked = true;
        await ProblemAsync(await client.SendAsync(request), HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync(Predict, Json("""{"features":[1,2,3,4]}"""))).StatusCode);
    }

    [Theory]
    [InlineData("""{"features":[1,2,3,4]""", "The body is not valid JSON", "$")]
    [InlineData("""{"features":"four numbers"}""", "A field has the wrong type", "$.features")]
    [InlineData("""{"features":[1,2,"three",4]}""", "A field has the wrong type", "$.features[2]")]
    [InlineData("""{"other":[1,2,3,4]}""", "A required field is missing", "$.features")]
    [InlineData("""{"features":[1,2,3]}""", "The input does not fit the model", "X")]
    [InlineData("null", "The body is null", "$")]
    [InlineData("", "The body is empty", null)]
    public async Task ABadBody_Gets400_AProblemNamingTheField(string body, string title, string? field)
    {
        await using var server = await Scenario.StartAsync();
        var problem = await ProblemAsync(await server.Client("scorer", MlOpsPolicies.Predict).PostAsync(Predict, Json(body)), HttpStatusCode.BadRequest);

        Assert.Equal(title, problem.GetProperty("title").GetString());
        Assert.Equal(field, problem.TryGetProperty("field", out var f) ? f.GetString() : null);
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
    }

    [Fact]
    public async Task OverTheRate_Gets429_PerClient_WithRetryAfter()
    {
        await using var server = await Scenario.StartAsync(http: o => (o.RateLimitPermits, o.RateLimitWindow) = (5, TimeSpan.FromMinutes(1)));
        var first = server.Client("first", MlOpsPolicies.Predict);
        var second = server.Client("second", MlOpsPolicies.Predict);

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await first.PostAsync(Predict, Json("""{"features":[1,2,3,4]}"""))).StatusCode);
        }

        var refused = await first.PostAsync(Predict, Json("""{"features":[1,2,3,4]}"""));
        await ProblemAsync(refused, HttpStatusCode.TooManyRequests);
        Assert.True(int.Parse(refused.Headers.GetValues("Retry-After").Single()) >= 1);
        Assert.Equal(HttpStatusCode.OK, (await second.PostAsync(Predict, Json("""{"features":[1,2,3,4]}"""))).StatusCode);
    }

    [Fact]
    public async Task AFailureInsideTheModel_Gets500_WithoutInternals()
    {
        await using var server = await Scenario.StartAsync(model: OnnxModels.FailsOnRun(), untyped: true, map: app => app.MapInferenceProtocol(), host: h => h.WarmUpOnLoad = false);
        var response = await server.Client("scorer", MlOpsPolicies.Predict).PostAsync(
            "/v2/models/adder/infer",
            Json("""{"inputs":[{"name":"X","shape":[1,1],"datatype":"FP32","data":[1]}]}"""));

        var problem = await ProblemAsync(response, HttpStatusCode.InternalServerError);
        Assert.Equal("The server failed to process the request", problem.GetProperty("title").GetString());
        Assert.DoesNotContain("onnx", problem.GetRawText(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task ApiKeys_AreCheckedByHash_AndRotateWithoutDowntime()
    {
        var (oldKey, newKey) = (ApiKeys.Generate(), ApiKeys.Generate());
        var accepted = new List<string> { ApiKeys.Hash(oldKey) };
        await using var server = await Scenario.StartAsync(apiKeys: o =>
        {
            foreach (var hash in accepted)
            {
                o.AddKey("scoring-service", hash, MlOpsPolicies.Predict);
            }
        });
        const string body = """{"features":[1,2,3,4]}""";

        Assert.Equal(HttpStatusCode.OK, (await server.ApiKeyClient(oldKey).PostAsync(Predict, Json(body))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.ApiKeyClient(newKey).PostAsync(Predict, Json(body))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.ApiKeyClient(oldKey + "x").PostAsync(Predict, Json(body))).StatusCode);

        // Rotation: the new key joins, both work; then the old one leaves. A configuration reload clears the cache the same way.
        var cache = server.Services.GetRequiredService<IOptionsMonitorCache<ApiKeyAuthenticationOptions>>();
        accepted.Add(ApiKeys.Hash(newKey));
        cache.TryRemove(ApiKeys.Scheme);
        Assert.Equal(HttpStatusCode.OK, (await server.ApiKeyClient(oldKey).PostAsync(Predict, Json(body))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await server.ApiKeyClient(newKey).PostAsync(Predict, Json(body))).StatusCode);
        accepted.RemoveAt(0);
        cache.TryRemove(ApiKeys.Scheme);
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.ApiKeyClient(oldKey).PostAsync(Predict, Json(body))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await server.ApiKeyClient(newKey).PostAsync(Predict, Json(body))).StatusCode);
    }

    [Fact]
    public void ApiKeyHashes_MustBeHashes_NotKeys()
    {
        var options = new ApiKeyAuthenticationOptions();
        Assert.Throws<ArgumentException>(() => options.AddKey("svc", ApiKeys.Generate(), MlOpsPolicies.Predict));
        Assert.Equal(64, ApiKeys.Hash("k").Length);
        Assert.NotEqual(ApiKeys.Generate(), ApiKeys.Generate());
    }
}
