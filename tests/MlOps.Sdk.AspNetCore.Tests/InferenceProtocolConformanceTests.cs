using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using MlOps.Sdk.Storage.Conformance;
using MlOps.Sdk.Versioning;
using Xunit;

namespace MlOps.Sdk.AspNetCore.Tests;

/// <summary>
/// The Open Inference Protocol's REST API (kserve/open-inference-protocol, specification/protocol/inference_rest.md),
/// checked from the specification's own examples and rules on real ONNX models: health, server and model metadata,
/// inference with every datatype, and the error object.
/// </summary>
public sealed class InferenceProtocolConformanceTests : IAsyncLifetime
{
    /// <summary>ONNX element type code and a row of values for each of the protocol's datatypes (and Triton's BF16).</summary>
    public static readonly TheoryData<string, int, string> Datatypes = new()
    {
        { "BOOL", 9, "[true,false,true,true,false,false]" },
        { "UINT8", 2, "[0,1,2,127,128,255]" },
        { "UINT16", 4, "[0,1,2,3,32768,65535]" },
        { "UINT32", 12, "[0,1,2,3,2147483648,4294967295]" },
        { "UINT64", 13, "[0,1,2,3,9223372036854775808,18446744073709551615]" },
        { "INT8", 3, "[-128,-1,0,1,2,127]" },
        { "INT16", 5, "[-32768,-1,0,1,2,32767]" },
        { "INT32", 6, "[-2147483648,-1,0,1,2,2147483647]" },
        { "INT64", 7, "[-9223372036854775808,-1,0,1,2,9223372036854775807]" },
        { "FP16", 10, "[-2,-0.5,0,0.25,1,65504]" },
        { "BF16", 16, "[-2,-0.5,0,0.25,1,256]" },
        { "FP32", 1, "[-1.5,0,0.1,3.4028235E+38,1E-45,2.5]" },
        { "FP64", 11, "[-1.5,0,0.1,1.7976931348623157E+308,5E-324,2.5]" },
        { "BYTES", 8, """["a","","naïve","日本","with \"quotes\"","x"]""" },
    };

    private ApiServer _server = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        var models = new Dictionary<string, byte[]> { ["adder"] = OnnxModels.AddConstant(1f, 4) };
        foreach (var row in Datatypes)
        {
            models[$"type_{((string)row[0]).ToLowerInvariant()}"] = OnnxModels.Identity((int)row[1], ["batch", 3]);
        }

        _server = await ApiServer.StartAsync(
            (services, root) =>
            {
                var sdk = Scenario.Store(services, root);
                foreach (var name in models.Keys)
                {
                    sdk.AddModelHost(name, h => h.FollowAlias("production"));
                }

                sdk.AddModelHost("unserved", h => { h.FollowAlias("production"); h.RequireVersionAtStart = false; });
                services.AddMlOpsHttp();
            },
            app => app.MapInferenceProtocol(),
            seed: async root =>
            {
                var services = new ServiceCollection().AddLogging();
                Scenario.Store(services, root);
                await using var provider = services.BuildServiceProvider();
                var registry = provider.GetRequiredService<ModelRegistry>();
                foreach (var (name, model) in models)
                {
                    await registry.SetAliasAsync(name, "production", (await registry.RegisterModelAsync(name, new MemoryStream(model))).Number);
                }
            });
        _client = _server.Client("client", MlOpsPolicies.Predict);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private async Task<JsonNode> OkAsync(HttpResponseMessage response)
    {
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    /// <summary>"A failed ... request must be indicated by an HTTP error status (typically 400). The HTTP body must contain ... { "error": $string }."</summary>
    private static async Task<string> ErrorAsync(HttpResponseMessage response, HttpStatusCode status = HttpStatusCode.BadRequest)
    {
        Assert.Equal(status, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var error = body["error"]!.GetValue<string>();
        Assert.False(string.IsNullOrWhiteSpace(error));
        return error;
    }

    [Fact]
    public async Task Health_LiveAndReady_Answer200_WithTheirObjects_AndNeedNoSignIn()
    {
        var anonymous = _server.Client();
        Assert.True((await OkAsync(await anonymous.GetAsync("/v2/health/live")))["live"]!.GetValue<bool>());
        var ready = await anonymous.GetAsync("/v2/health/ready");
        Assert.Equal(HttpStatusCode.BadRequest, ready.StatusCode);
        Assert.False(JsonNode.Parse(await ready.Content.ReadAsStringAsync())!["ready"]!.GetValue<bool>());
    }

    [Fact]
    public async Task ModelReady_IsTrueForAServedModel_AndFalseWith4xxForOneWithNothingLoaded()
    {
        var ready = await OkAsync(await _client.GetAsync("/v2/models/adder/ready"));
        Assert.Equal("adder", ready["name"]!.GetValue<string>());
        Assert.True(ready["ready"]!.GetValue<bool>());
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync("/v2/models/adder/versions/1/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _client.GetAsync("/v2/models/adder/versions/2/ready")).StatusCode);
        var unserved = await _client.GetAsync("/v2/models/unserved/ready");
        Assert.Equal(HttpStatusCode.BadRequest, unserved.StatusCode);
        Assert.False(JsonNode.Parse(await unserved.Content.ReadAsStringAsync())!["ready"]!.GetValue<bool>());
        await ErrorAsync(await _client.GetAsync("/v2/models/nosuch/ready"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task ServerMetadata_HasNameVersionAndExtensions()
    {
        var metadata = await OkAsync(await _client.GetAsync("/v2"));
        Assert.Equal("mlops-sdk", metadata["name"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(metadata["version"]!.GetValue<string>()));
        Assert.IsType<JsonArray>(metadata["extensions"]);
    }

    [Fact]
    public async Task ModelMetadata_GivesTheSignature_VariableDimensionsAsMinusOne()
    {
        foreach (var path in new[] { "/v2/models/adder", "/v2/models/adder/versions/1" })
        {
            var metadata = await OkAsync(await _client.GetAsync(path));
            Assert.Equal("adder", metadata["name"]!.GetValue<string>());
            Assert.Equal(["1"], metadata["versions"]!.AsArray().Select(v => v!.GetValue<string>()));
            Assert.Equal("onnx_onnxv1", metadata["platform"]!.GetValue<string>());
            foreach (var (side, name) in new[] { ("inputs", "X"), ("outputs", "Y") })
            {
                var tensor = metadata[side]!.AsArray().Single()!;
                Assert.Equal(name, tensor["name"]!.GetValue<string>());
                Assert.Equal("FP32", tensor["datatype"]!.GetValue<string>());
                Assert.Equal([-1L, 4L], tensor["shape"]!.AsArray().Select(d => d!.GetValue<long>()));
            }
        }

        await ErrorAsync(await _client.GetAsync("/v2/models/adder/versions/7"), HttpStatusCode.NotFound);
        await ErrorAsync(await _client.GetAsync("/v2/models/nosuch"), HttpStatusCode.NotFound);
        await ErrorAsync(await _client.GetAsync("/v2/models/unserved"), HttpStatusCode.ServiceUnavailable);
    }

    /// <summary>The specification's inference example: an id that comes back, a batch of 2, nested data, one requested output.</summary>
    [Theory]
    [InlineData("[1,2,3,4,5,6,7,8]")]
    [InlineData("[[1,2,3,4],[5,6,7,8]]")]
    public async Task Infer_AsTheSpecificationsExample_ReturnsTheIdAndTheRequestedOutput(string data)
    {
        var response = await OkAsync(await _client.PostAsync("/v2/models/adder/infer", Json(
            $$"""{"id":"42","inputs":[{"name":"X","shape":[2,4],"datatype":"FP32","data":{{data}}}],"outputs":[{"name":"Y"}]}""")));

        Assert.Equal("42", response["id"]!.GetValue<string>());
        Assert.Equal("adder", response["model_name"]!.GetValue<string>());
        Assert.Equal("1", response["model_version"]!.GetValue<string>());
        var output = response["outputs"]!.AsArray().Single()!;
        Assert.Equal("Y", output["name"]!.GetValue<string>());
        Assert.Equal("FP32", output["datatype"]!.GetValue<string>());
        Assert.Equal([2L, 4L], output["shape"]!.AsArray().Select(d => d!.GetValue<long>()));
        Assert.Equal([2f, 3, 4, 5, 6, 7, 8, 9], output["data"]!.AsArray().Select(d => d!.GetValue<float>()));
        Assert.StartsWith("sha256:", response["parameters"]!["mlops_digest"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Infer_WithoutAnId_AnswersWithoutOne_AndWithEveryOutput()
    {
        var response = await OkAsync(await _client.PostAsync("/v2/models/adder/versions/1/infer", Json("""{"inputs":[{"name":"X","shape":[1,4],"datatype":"FP32","data":[0,0,0,0]}]}""")));
        Assert.Null(response["id"]);
        Assert.Equal("Y", response["outputs"]!.AsArray().Single()!["name"]!.GetValue<string>());
    }

    [Theory]
    [MemberData(nameof(Datatypes))]
    public async Task Infer_TakesAndReturnsEveryDatatype_ValueForValue(string datatype, int onnxType, string values)
    {
        _ = onnxType;
        var model = $"type_{datatype.ToLowerInvariant()}";
        var response = await OkAsync(await _client.PostAsync($"/v2/models/{model}/infer", Json(
            $$"""{"inputs":[{"name":"X","shape":[2,3],"datatype":"{{datatype}}","data":{{values}}}]}""")));

        var output = response["outputs"]!.AsArray().Single()!;
        Assert.Equal(datatype, output["datatype"]!.GetValue<string>());
        Assert.Equal([2L, 3L], output["shape"]!.AsArray().Select(d => d!.GetValue<long>()));
        var sent = JsonNode.Parse(values)!.AsArray().Select(Canonical);
        var got = output["data"]!.AsArray().Select(Canonical);
        Assert.Equal(sent, got);

        var metadata = await OkAsync(await _client.GetAsync($"/v2/models/{model}"));
        Assert.Equal(datatype, metadata["inputs"]![0]!["datatype"]!.GetValue<string>());

        // Integers compare digit for digit (no double in between); reals compare as the double they denote.
        static string Canonical(JsonNode? node) => node!.GetValueKind() == JsonValueKind.Number
            ? node.ToJsonString() is var text && text.IndexOfAny(['.', 'e', 'E']) < 0
                ? System.Numerics.BigInteger.Parse(text, System.Globalization.CultureInfo.InvariantCulture).ToString(System.Globalization.CultureInfo.InvariantCulture)
                : double.Parse(text, System.Globalization.CultureInfo.InvariantCulture).ToString("R", System.Globalization.CultureInfo.InvariantCulture)
            : node.ToJsonString();
    }

    [Theory]
    [InlineData("""{"inputs":[{"name":"X","shape":[1,4],"datatype":"FLOAT","data":[1,2,3,4]}]}""", "X")]
    [InlineData("""{"inputs":[{"name":"X","shape":[1,4],"datatype":"FP32","data":[1,2,3]}]}""", "X")]
    [InlineData("""{"inputs":[{"name":"X","shape":[1,3],"datatype":"FP32","data":[1,2,3]}]}""", "X")]
    [InlineData("""{"inputs":[{"name":"X","shape":[1,4],"datatype":"FP64","data":[1,2,3,4]}]}""", "X")]
    [InlineData("""{"inputs":[{"name":"X","shape":[1,4],"datatype":"FP32","data":[1,2,"x",4]}]}""", "X")]
    [InlineData("""{"inputs":[{"name":"W","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}]}""", "X")]
    [InlineData("""{"inputs":[{"name":"X","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}],"outputs":[{"name":"Z"}]}""", "Z")]
    [InlineData("""{"inputs":[{"name":"X","shape":[1,4],"datatype":"FP32","parameters":{"binary_data_size":16}}]}""", "X")]
    [InlineData("""{"inputs":[]}""", "$.inputs")]
    [InlineData("""{"inputs":[{"name":"X","shape":[1,-4],"datatype":"FP32","data":[1,2,3,4]}]}""", "X")]
    [InlineData("""{"id":42,"inputs":[{"name":"X","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}]}""", "$.id")]
    [InlineData("""{"inputs":[{"name":"X","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}""", "$")]
    public async Task Infer_ABadRequest_Gets400_WithTheErrorObject_NamingTheFault(string body, string field)
    {
        var response = await _client.PostAsync("/v2/models/adder/infer", Json(body));
        var error = await ErrorAsync(response);
        Assert.StartsWith(field, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("INT8", "[1,2,300,4,5,6]")]
    [InlineData("UINT8", "[1,2,-1,4,5,6]")]
    [InlineData("BOOL", "[true,false,2,true,true,true]")]
    [InlineData("BYTES", """["a","b",3,"d","e","f"]""")]
    [InlineData("INT32", "[1,2,3.5,4,5,6]")]
    public async Task Infer_AValueOutsideItsDatatype_IsRefused_NeverWrapped(string datatype, string values)
    {
        var response = await _client.PostAsync($"/v2/models/type_{datatype.ToLowerInvariant()}/infer", Json(
            $$"""{"inputs":[{"name":"X","shape":[2,3],"datatype":"{{datatype}}","data":{{values}}}]}"""));
        Assert.Contains("element 2", await ErrorAsync(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Infer_OnAnUnknownModelOrVersion_Gets404_AndUnauthenticated_Gets401()
    {
        const string body = """{"inputs":[{"name":"X","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}]}""";
        await ErrorAsync(await _client.PostAsync("/v2/models/nosuch/infer", Json(body)), HttpStatusCode.NotFound);
        await ErrorAsync(await _client.PostAsync("/v2/models/adder/versions/3/infer", Json(body)), HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _server.Client().PostAsync("/v2/models/adder/infer", Json(body))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _server.Client().GetAsync("/v2/models/adder")).StatusCode);
    }
}
