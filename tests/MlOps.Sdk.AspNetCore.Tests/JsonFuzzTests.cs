using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace MlOps.Sdk.AspNetCore.Tests;

/// <summary>
/// 10,000 generated bodies, seeded: valid bodies cut, flipped, nested, retyped and swollen, sent to every endpoint that
/// reads one. Each must get a 2xx or 4xx, never a 5xx, within the client's timeout; and the server still serves after.
/// </summary>
public sealed class JsonFuzzTests
{
    private static readonly (string Path, string Body)[] Seeds =
    [
        ("/models/adder/predict", """{"features":[1,2,3,4]}"""),
        ("/models/adder/predict/batch", """[{"features":[1,2,3,4]},{"features":[0,0,0,0]}]"""),
        ("/v2/models/adder/infer", """{"id":"1","inputs":[{"name":"X","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}],"outputs":[{"name":"Y"}]}"""),
        ("/v2/models/adder/versions/1/infer", """{"inputs":[{"name":"X","shape":[2,4],"datatype":"FP32","data":[[1,2,3,4],[5,6,7,8]]}]}"""),
        ("/mlops/api/models/adder/aliases/staging", """{"version":1,"reason":"fuzz"}"""),
        ("/mlops/api/models/adder/aliases/staging/approvals", """{"version":1,"reason":"fuzz"}"""),
        ("/mlops/api/hosts/adder/pin", """{"version":1,"reason":"fuzz"}"""),
    ];

    private static readonly string[] Tokens =
    [
        "null", "true", "false", "0", "-1", "1e400", "-1e400", "1.5", "\"\"", "\"NaN\"", "\"x\"", "[]", "{}", "[[[[[[[[", "]]]]",
        "9223372036854775808", "-9223372036854775809", "18446744073709551616", "\"\\u0000\"", "\"\\ud800\"", "\"日本\"", ",", ":", "\"shape\"",
        "\"datatype\"", "\"FP64\"", "\"BYTES\"", "\"BOOL\"", "\"INT8\"", "[0,4]", "[1,0]", "[4294967296,4294967296]", "[-1]", "{\"binary_data_size\":4}",
    ];

    [Fact]
    [Trait("Category", "Fault")]
    public async Task TenThousandGeneratedBodies_GetOnly2xxOr4xx_AndTheServerStillServes()
    {
        await using var server = await Scenario.StartAsync(
            http: o => o.MaxRequestBodySize = 64 * 1024,
            untyped: false,
            map: app =>
            {
                app.MapModel<Row, Sums>(Scenario.Model);
                app.MapMlOpsManagement();
            });
        await using var oip = await Scenario.StartAsync(untyped: true, map: app => app.MapInferenceProtocol());
        var random = new Random(20261130);
        var bodies = Enumerable.Range(0, 10_000).Select(i =>
        {
            var (path, body) = Seeds[random.Next(Seeds.Length)];
            return (path, Mutate(body, random), Oip: path.StartsWith("/v2", StringComparison.Ordinal), Method: path.Contains("/aliases/staging", StringComparison.Ordinal) && !path.EndsWith("approvals", StringComparison.Ordinal) ? HttpMethod.Put : HttpMethod.Post);
        }).ToArray();
        var queue = new ConcurrentQueue<(string Path, string Body, bool Oip, HttpMethod Method)>(bodies);
        var failures = new ConcurrentQueue<string>();
        var statuses = new ConcurrentDictionary<int, int>();
        var roles = new[] { MlOpsPolicies.Predict, MlOpsPolicies.Promote, MlOpsPolicies.Read };

        await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            var client = server.Client($"fuzzer-{i}", roles);
            var oipClient = oip.Client($"fuzzer-{i}", roles);
            while (queue.TryDequeue(out var item))
            {
                using var request = new HttpRequestMessage(item.Method, item.Path) { Content = new StringContent(item.Body, Encoding.UTF8, "application/json") };
                try
                {
                    using var response = await (item.Oip ? oipClient : client).SendAsync(request);
                    var status = (int)response.StatusCode;
                    statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
                    if (status >= 500)
                    {
                        failures.Enqueue($"{status} {item.Method} {item.Path} {item.Body} -> {await response.Content.ReadAsStringAsync()}");
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    failures.Enqueue($"{e.GetType().Name} {item.Path} {item.Body}");
                }
            }
        })));

        Assert.True(failures.IsEmpty, string.Join("\n", failures.Take(10)));
        Assert.Equal(10_000, statuses.Values.Sum());
        Assert.True(statuses.Keys.Count(s => s < 300) > 0 && statuses.Keys.Count(s => s >= 400) > 1, string.Join(", ", statuses.OrderBy(s => s.Key)));
        var after = await server.Client("scorer", MlOpsPolicies.Predict).PostAsync("/models/adder/predict", new StringContent("""{"features":[1,2,3,4]}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    private static string Mutate(string body, Random random)
    {
        var text = new StringBuilder(body);
        var edits = random.Next(1, 4);
        for (var e = 0; e < edits; e++)
        {
            var at = random.Next(text.Length + 1);
            switch (random.Next(8))
            {
                case 0: text.Length = Math.Min(text.Length, at); break;
                case 1 when at < text.Length: text[at] = (char)random.Next(32, 127); break;
                case 2: text.Insert(at, Tokens[random.Next(Tokens.Length)]); break;
                case 3 when at < text.Length: text.Remove(at, Math.Min(random.Next(1, 6), text.Length - at)); break;
                case 4: text.Insert(at, new string('[', random.Next(1, 200))); break;
                case 5: text.Insert(at, string.Join(",", Enumerable.Range(0, random.Next(1, 500)).Select(_ => random.Next(-1000, 1000)))); break;
                case 6: text.Replace("FP32", Tokens[random.Next(24, 29)].Trim('"')); break;
                default: text.Replace(random.Next(2) == 0 ? "4" : "1", Tokens[random.Next(Tokens.Length)]); break;
            }
        }

        return text.ToString();
    }
}
