// Copies an embedded store (a .mlops directory: SQLite and artifact files) into PostgreSQL and S3.
//
//   dotnet run --project samples/MigrateToPostgreSql -- <.mlops directory> <PostgreSQL connection string> <S3 bucket> [S3 endpoint]
//
// Stop the apps writing to the embedded store first. Interrupted (Ctrl+C, a lost connection, a crash)? Run the same
// command again: finished tables are not copied again, artifacts already uploaded are skipped, and the result is the
// one an uninterrupted copy gives. The audit chain is verified at the end.
using Amazon.S3;
using Microsoft.Extensions.DependencyInjection;
using MlOps.Sdk.Storage.PostgreSql.Migration;

if (args.Length is < 3 or > 4)
{
    Console.Error.WriteLine("usage: MigrateToPostgreSql <.mlops directory> <PostgreSQL connection string> <S3 bucket> [S3 endpoint, for MinIO, Ceph...]");
    return 2;
}

var (embedded, postgres, bucket) = (args[0], args[1], args[2]);
if (!File.Exists(Path.Combine(embedded, "mlops.db")))
{
    Console.Error.WriteLine($"No embedded store at '{embedded}': it holds no mlops.db.");
    return 2;
}

var from = new ServiceCollection();
from.AddMlOps(o => o.RootDirectory = embedded).UseSqlite();

var to = new ServiceCollection();
to.AddSingleton<IAmazonS3>(args.Length == 4
    ? new AmazonS3Client(new AmazonS3Config { ServiceURL = args[3], ForcePathStyle = true })
    : new AmazonS3Client());
to.AddMlOps(o => o.RootDirectory = Path.Combine(Path.GetTempPath(), "mlops-migration"))
  .UsePostgreSql(postgres)
  .UseS3Artifacts(o => o.BucketName = bucket);

await using var source = from.BuildServiceProvider();
await using var target = to.BuildServiceProvider();
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

var last = string.Empty;
var progress = new Progress<MigrationProgress>(p =>
{
    if (p.Step != last || p.Done == p.Total)
    {
        Console.WriteLine($"{p.Step,-20} {p.Done,12:N0} / {p.Total:N0}");
        last = p.Step;
    }
});

try
{
    var report = await EmbeddedStoreMigration.CopyAsync(source, target, progress, cancel.Token);
    Console.WriteLine($"Copied {report.Tables.Values.Sum():N0} rows in {report.Tables.Count} tables and {report.ArtifactsCopied:N0} artifacts ({report.BytesCopied:N0} bytes); {report.ArtifactsPresent:N0} artifacts were there already; {report.ResumedSteps} steps done by an earlier run.");
    Console.WriteLine(report.AuditLogIntact ? "The audit chain verifies." : "THE AUDIT CHAIN DOES NOT VERIFY.");
    return report.AuditLogIntact ? 0 : 1;
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine("Stopped. Run the same command again to go on where it stopped.");
    return 130;
}
catch (MlOps.Sdk.MlOpsException e)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}
