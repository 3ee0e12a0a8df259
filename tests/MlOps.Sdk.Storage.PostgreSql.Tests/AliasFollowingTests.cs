using System.Globalization;
using Amazon.Runtime;
using Amazon.S3;
using Microsoft.Extensions.DependencyInjection;
using MlOps.Sdk.Storage.Conformance;
using MlOps.Sdk.Storage.Conformance.Services;
using MlOps.Sdk.Versioning;
using Xunit;
using Xunit.Abstractions;

namespace MlOps.Sdk.Storage.PostgreSql.Tests;

/// <summary>Hosts in other processes learn of alias moves through LISTEN/NOTIFY, and catch up after losing the connection.</summary>
[Trait("Category", "Fault")]
public sealed class AliasFollowingTests(ITestOutputHelper output) : IDisposable
{
    private const int Moves = 20;
    private readonly PostgreSqlStore _store = new();
    private readonly string _root = Path.Combine(Path.GetTempPath(), "mlops-pg-follow-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    [Fact]
    public async Task TwoHostProcesses_FollowingProduction_SwapWithinTwoSeconds_AndCatchUpAfterTheirListenerIsKilled()
    {
        // PostgreSQL for metadata, S3 for the models: nothing is shared through the file system.
        var server = S3Server.Instance;
        var bucket = S3Server.NewBucket();
        using var s3 = new AmazonS3Client(new BasicAWSCredentials(S3Server.Credential, S3Server.Credential), new AmazonS3Config { ServiceURL = S3Server.ServiceUrl(server), ForcePathStyle = true, AuthenticationRegion = "us-east-1" });
        await s3.PutBucketAsync(bucket);
        var services = new ServiceCollection();
        services.AddSingleton<IAmazonS3>(s3);
        _store.Use(services.AddMlOps(o => o.RootDirectory = _root).AddModelRegistry()).UseS3Artifacts(o =>
        {
            o.BucketName = bucket;
            o.UseChunkEncoding = false;
        });
        await using var provider = services.BuildServiceProvider();
        var registry = provider.GetRequiredService<ModelRegistry>();
        for (var k = 1; k <= Moves + 2; k++)
        {
            await registry.RegisterModelAsync("fraud", new MemoryStream(OnnxModels.AddConstant(k, 4)));
        }

        await registry.SetAliasAsync("fraud", "production", 1);
        var environment = new Dictionary<string, string>
        {
            ["MLOPS_TEST_POSTGRES"] = PostgreSqlServer.Instance.ConnectionString,
            ["MLOPS_TEST_SCHEMA"] = _store.Schema,
            ["MLOPS_TEST_S3_URL"] = S3Server.ServiceUrl(server),
            ["MLOPS_TEST_S3_BUCKET"] = bucket,
        };

        // Each host has a root of its own: no file is shared with this process or the other host.
        var hosts = Enumerable.Range(0, 2).Select(i => ChildProcess.StartWith(environment, "follow-serve", Path.Combine(_root, "host-" + i), "fraud", "300")).ToList();
        try
        {
            foreach (var host in hosts)
            {
                Assert.Equal(1, await ServingAsync(host, TimeSpan.FromMinutes(2)).ContinueWith(t => t.Result.Version));
            }

            // Moves 2..21: the time from asking for the move to the later of the two hosts serving it.
            var latencies = new List<double>();
            for (var k = 2; k <= Moves + 1; k++)
            {
                var asked = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                await registry.SetAliasAsync("fraud", "production", k);
                latencies.Add(await BothServeAsync(hosts, k, asked, TimeSpan.FromSeconds(30)));
                await Task.Delay(200);
            }

            // Kill the listening connections (pg_terminate_backend): the hosts reconnect and still see the next move.
            var killed = await _store.ScalarAsync<long>(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND (query LIKE 'LISTEN mlops_alias_moves%' OR query LIKE 'SELECT x.move_id, m.name, x.alias%');");
            Assert.True(killed >= 2, $"{killed} listening connections found; each host should have one.");
            var moved = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            await registry.SetAliasAsync("fraud", "production", Moves + 2);
            var afterKill = await BothServeAsync(hosts, Moves + 2, moved, TimeSpan.FromSeconds(30));

            latencies.Sort();
            var median = (latencies[(Moves / 2) - 1] + latencies[Moves / 2]) / 2;
            output.WriteLine(FormattableString.Invariant($"{Moves} moves seen by both hosts: median {median} ms, worst {latencies[^1]} ms; after the listeners were killed: {afterKill} ms."));
            Assert.True(latencies[^1] <= 2_000, FormattableString.Invariant($"The slowest of {Moves} moves took {latencies[^1]} ms to reach both hosts."));

            // The hosts serve until told to stop (not for a fixed time, which a loaded machine could outlast).
            foreach (var host in hosts)
            {
                host.Terminate();
                Assert.Equal(0, await host.WaitForExitAsync(TimeSpan.FromMinutes(2)));
                var predictions = long.Parse((await host.ReadLineAsync("PREDICTIONS ", TimeSpan.FromSeconds(10)))!, CultureInfo.InvariantCulture);
                Assert.Equal("0", await host.ReadLineAsync("FAILURES ", TimeSpan.FromSeconds(10)));
                Assert.True(predictions > 10_000, $"Only {predictions} predictions during the moves.");
            }
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.DisposeAsync();
            }
        }
    }

    private static async Task<double> BothServeAsync(List<ChildProcess> hosts, int version, long since, TimeSpan timeout)
    {
        var latest = since;
        foreach (var host in hosts)
        {
            var (served, at) = await ServingAsync(host, timeout);
            Assert.Equal(version, served);
            latest = Math.Max(latest, at);
        }

        return latest - since;
    }

    private static async Task<(int Version, long At)> ServingAsync(ChildProcess host, TimeSpan timeout)
    {
        var line = await host.ReadLineAsync("SERVING ", timeout) ?? throw new InvalidOperationException("The host exited before it served.");
        var parts = line.Split(' ');
        return ((int)float.Parse(parts[0], CultureInfo.InvariantCulture), long.Parse(parts[1], CultureInfo.InvariantCulture));
    }
}
