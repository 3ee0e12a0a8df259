// A child process for the crash and concurrency tests: it does one kind of work against a real store and
// reports on stdout each thing that is durable, so the parent knows what must survive a kill -9.
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MlOps.Sdk.Artifacts;
using MlOps.Sdk.Serving;
using MlOps.Sdk.Storage.Conformance;
using MlOps.Sdk.Storage.Conformance.Services;
using MlOps.Sdk.Tracking;
using MlOps.Sdk.Versioning;

var command = args[0];
var root = args[1];
Console.Out.Flush();

switch (command)
{
    case "log-forever":
        await LogAsync(root, args[2], long.MaxValue, flushEvery: int.Parse(args[3], CultureInfo.InvariantCulture), lease: TimeSpan.FromSeconds(2));
        break;
    case "log-count":
        await LogAsync(root, args[2], long.Parse(args[3], CultureInfo.InvariantCulture), flushEvery: int.Parse(args[4], CultureInfo.InvariantCulture), lease: TimeSpan.FromSeconds(60));
        break;
    case "host-log-until-stopped":
        await HostLogUntilStoppedAsync(root, args[2]);
        break;
    case "put-forever":
        await PutForeverAsync(root);
        break;
    case "register":
        await RegisterAsync(root, args[2], int.Parse(args[3], CultureInfo.InvariantCulture));
        break;
    case "snapshot-forever":
        await SnapshotForeverAsync(root, args[2]);
        break;
    case "follow-serve":
        await FollowServeAsync(root, args[2], TimeSpan.FromSeconds(double.Parse(args[3], CultureInfo.InvariantCulture)));
        break;
    case "copy-embedded":
        await CopyEmbeddedAsync(root, args[2]);
        break;
    case "migrate":
        await using (var services = Build(root, TimeSpan.FromSeconds(60)))
        {
            var tracker = services.GetRequiredService<ExperimentTracker>();
            await using var run = await tracker.StartRunAsync("migrate");
            run.LogMetric("m", 1);
            Console.WriteLine("OK " + run.Id);
        }

        break;
    default:
        Console.Error.WriteLine($"unknown command {command}");
        return 2;
}

return 0;

// The metadata store is the embedded default, or PostgreSQL when MLOPS_TEST_POSTGRES gives a connection string
// (and MLOPS_TEST_SCHEMA the schema); artifacts stay files under the root.
static ServiceProvider Build(string root, TimeSpan lease)
{
    var services = new ServiceCollection();
    UseStores(services.AddMlOps(o => o.RootDirectory = root).AddTracking(o => o.RunLease = lease).AddModelRegistry().AddDatasets());
    return services.BuildServiceProvider();
}

// Artifacts go to S3 when MLOPS_TEST_S3_URL gives an S3-compatible endpoint (and MLOPS_TEST_S3_BUCKET the bucket).
static void UseStores(MlOps.Sdk.IMlOpsBuilder builder)
{
    if (Environment.GetEnvironmentVariable("MLOPS_TEST_POSTGRES") is { Length: > 0 } postgres)
    {
        builder.UsePostgreSql(o =>
        {
            o.ConnectionString = postgres;
            o.Schema = Environment.GetEnvironmentVariable("MLOPS_TEST_SCHEMA") ?? "mlops";
        });
    }
    else
    {
        builder.UseSqlite();
    }

    if (Environment.GetEnvironmentVariable("MLOPS_TEST_S3_URL") is { Length: > 0 } s3)
    {
        builder.Services.AddSingleton<Amazon.S3.IAmazonS3>(new Amazon.S3.AmazonS3Client(
            new Amazon.Runtime.BasicAWSCredentials(S3Server.Credential, S3Server.Credential),
            new Amazon.S3.AmazonS3Config { ServiceURL = s3, ForcePathStyle = true, AuthenticationRegion = "us-east-1" }));
        builder.UseS3Artifacts(o =>
        {
            o.BucketName = Environment.GetEnvironmentVariable("MLOPS_TEST_S3_BUCKET")!;
            o.UseChunkEncoding = false;
        });
    }
}

static async Task RegisterAsync(string root, string model, int count)
{
    await using var services = Build(root, TimeSpan.FromSeconds(60));
    var registry = services.GetRequiredService<ModelRegistry>();
    for (var i = 0; i < count; i++)
    {
        var version = await registry.RegisterModelAsync(model, new MemoryStream(OnnxModels.Identity(OnnxModels.Float, ["batch", Environment.ProcessId % 97 + 1])));
        Console.WriteLine("VERSION " + version.Number.ToString(CultureInfo.InvariantCulture));
    }
}

static async Task SnapshotForeverAsync(string root, string data)
{
    await using var services = Build(root, TimeSpan.FromSeconds(60));
    var datasets = services.GetRequiredService<IDatasetRegistry>();
    for (var i = 0; ; i++)
    {
        // A changed file and a forgotten state cache: every snapshot reads and stores every file again.
        await File.WriteAllTextAsync(Path.Combine(data, "changing.txt"), i.ToString(CultureInfo.InvariantCulture) + Environment.ProcessId);
        var cache = Path.Combine(root, "cache", "dataset-state.json");
        if (File.Exists(cache))
        {
            File.Delete(cache);
        }

        var version = await datasets.SnapshotAsync("big", data);
        Console.WriteLine("SNAPSHOT " + version.Version.ToString(CultureInfo.InvariantCulture));
    }
}

static async Task LogAsync(string root, string experiment, long count, int flushEvery, TimeSpan lease)
{
    await using var services = Build(root, lease);
    var tracker = services.GetRequiredService<ExperimentTracker>();
    var run = await tracker.StartRunAsync(experiment);
    run.LogParam("pid", Environment.ProcessId);
    Console.WriteLine("RUN " + run.Id);
    for (long step = 0; step < count; step++)
    {
        run.LogMetric("loss", 1.0 / (step + 1), step);
        run.LogMetric("step", step, step);
        if ((step + 1) % flushEvery == 0 || step + 1 == count)
        {
            await run.FlushAsync();
            Console.WriteLine("ACK " + (step + 1).ToString(CultureInfo.InvariantCulture));
        }
    }

    if (run.DroppedPoints != 0)
    {
        Console.WriteLine("DROPPED " + run.DroppedPoints.ToString(CultureInfo.InvariantCulture));
    }

    await run.EndAsync();
    Console.WriteLine("DONE " + run.Id);
}

// A host serving fraud@production (an AddConstant model: its output names the version) that predicts without pause,
// reports each version it starts serving with the time it saw it, and at the end how many predictions failed. Its own
// polling is slowed to a minute: a swap within seconds comes from the store's report of the move.
static async Task FollowServeAsync(string root, string model, TimeSpan duration)
{
    var services = new ServiceCollection();
    UseStores(services.AddMlOps(o => o.RootDirectory = root).AddModelRegistry()
        .AddModelHost(model, h =>
        {
            h.FollowAlias("production");
            h.PollInterval = TimeSpan.FromMinutes(1);
        }));
    await using var provider = services.BuildServiceProvider();
    var host = provider.GetRequiredKeyedService<ModelHost>(model);
    await host.StartAsync();
    var input = new NamedTensors { { "X", TensorValue.Create(new float[4], 1, 4) } };
    long predictions = 0, failures = 0;
    var serving = -1f;
    var until = DateTimeOffset.UtcNow + duration;
    // Serves until SIGTERM (the test sends it once its moves are done), at most for the duration.
    using var stopping = new CancellationTokenSource();
    using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, context =>
    {
        context.Cancel = true;
        stopping.Cancel();
    });
    while (DateTimeOffset.UtcNow < until && !stopping.IsCancellationRequested)
    {
        try
        {
            var y = host.Predict(input)["Y"].AsSpan<float>()[0];
            predictions++;
            if (y != serving)
            {
                serving = y;
                Console.WriteLine(FormattableString.Invariant($"SERVING {y} {DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}"));
            }
        }
        catch (Exception e)
        {
            failures++;
            Console.Error.WriteLine(e.Message);
        }

        if (predictions % 64 == 0)
        {
            await Task.Yield();
        }
    }

    Console.WriteLine(FormattableString.Invariant($"PREDICTIONS {predictions}"));
    Console.WriteLine(FormattableString.Invariant($"FAILURES {failures}"));
}

// Copies the embedded store under `source` into the PostgreSQL + S3 target of the environment, reporting each step.
static async Task CopyEmbeddedAsync(string root, string source)
{
    var from = new ServiceCollection();
    from.AddMlOps(o => o.RootDirectory = source).UseSqlite();
    await using var sourceServices = from.BuildServiceProvider();
    await using var targetServices = Build(root, TimeSpan.FromSeconds(60));
    var report = await MlOps.Sdk.Storage.PostgreSql.Migration.EmbeddedStoreMigration.CopyAsync(
        sourceServices,
        targetServices,
        new SynchronousProgress<MlOps.Sdk.Storage.PostgreSql.Migration.MigrationProgress>(p => Console.WriteLine(FormattableString.Invariant($"STEP {p.Step} {p.Done}/{p.Total}"))));
    Console.WriteLine(FormattableString.Invariant($"COPIED {report.ArtifactsCopied} {report.AuditLogIntact}"));
}

// An app on the generic host that logs until the host is told to stop (SIGTERM) and never ends its run itself.
static async Task HostLogUntilStoppedAsync(string root, string experiment)
{
    var builder = Host.CreateApplicationBuilder();
    builder.Logging.ClearProviders();
    builder.Services.AddMlOps(o => o.RootDirectory = root).AddTracking().UseSqlite();
    using var host = builder.Build();
    await host.StartAsync();
    var stopping = host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
    var run = await host.Services.GetRequiredService<ExperimentTracker>().StartRunAsync(experiment);
    Console.WriteLine("RUN " + run.Id);
    for (long step = 0; !stopping.IsCancellationRequested; step++)
    {
        run.LogMetric("step", step, step);
        if ((step + 1) % 1000 == 0)
        {
            try
            {
                await run.FlushAsync(stopping);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            Console.WriteLine("ACK " + (step + 1).ToString(CultureInfo.InvariantCulture));
        }
    }

    await host.WaitForShutdownAsync();
}

static async Task PutForeverAsync(string root)
{
    var services = new ServiceCollection();
    services.AddMlOps(o => o.RootDirectory = root);
    await using var provider = services.BuildServiceProvider();
    var store = provider.GetRequiredService<ArtifactStore>();
    var buffer = new byte[4 * 1024 * 1024];
    while (true)
    {
        RandomNumberGenerator.Fill(buffer);
        var stored = await store.PutAsync(new MemoryStream(buffer));
        Console.WriteLine("PUT " + stored.Digest);
    }
}

/// <summary>Reports on the caller's thread, in order (Progress&lt;T&gt; posts to the thread pool).</summary>
internal sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
