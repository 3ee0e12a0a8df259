using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MlOps.Sdk.Storage.PostgreSql.Migration;
using MlOps.Sdk.Versioning;
using MlOps.Sdk.Versioning.Collection;

namespace MlOps.Sdk.Cli.Commands;

/// <summary><c>mlops audit verify</c>, <c>mlops gc</c> and <c>mlops migrate</c>: work on the store as a whole.</summary>
internal static class StoreCommands
{
    public static IEnumerable<Command> Create(CommandRunner runner)
    {
        var verify = new Command("verify", "Checks the audit log's hash chain; exit code 6 when it is broken");
        runner.Handle(verify, async (_, output, store, ct) =>
        {
            var result = await store.Service<ModelRegistry>().VerifyAuditLogAsync(cancellationToken: ct).ConfigureAwait(false);
            output.Write(result, CliJson.Default.AuditVerification, r => r.IsIntact
                ? $"intact: {r.Head?.Sequence ?? 0} entries, head {r.Head?.Hash}"
                : $"broken at entry {r.FirstBadSequence}: {r.Problem}");
            return result.IsIntact ? ExitCodes.Success : ExitCodes.Damaged;
        });
        yield return new Command("audit", "The registry's audit log") { verify };

        var grace = new Option<double?>("--grace-hours") { Description = "Keep what was stored less than this many hours before the collection started (the collector's default when not given)" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Count what would be deleted, delete nothing" };
        var gc = new Command("gc", "Deletes the artifacts no run, model version or dataset version references") { grace, dryRun };
        runner.Handle(gc, async (parse, output, store, ct) =>
        {
            var hours = parse.GetValue(grace);
            var report = await store.Service<ArtifactGarbageCollector>().CollectAsync(hours is { } h ? TimeSpan.FromHours(h) : null, parse.GetValue(dryRun), ct).ConfigureAwait(false);
            output.Write(report, CliJson.Default.GarbageCollectionReport, r =>
                $"{(r.DryRun ? "would delete" : "deleted")} {r.Deleted} of {r.Scanned} artifacts ({r.BytesFreed} bytes); {r.Referenced} referenced; kept everything stored after {r.StoredBefore:u}");
            return ExitCodes.Success;
        });
        yield return gc;

        var to = new Option<string>("--to") { Description = "The PostgreSQL connection string to copy into (an empty schema)", Required = true };
        var toArtifacts = new Option<string>("--to-artifacts") { Description = "The artifacts directory of the PostgreSQL store", Required = true };
        var toSchema = new Option<string>("--to-schema") { Description = "The PostgreSQL schema to copy into", DefaultValueFactory = _ => "mlops" };
        var migrate = new Command("migrate", "Copies an embedded store into PostgreSQL: every row, every artifact; resumable") { to, toArtifacts, toSchema };
        runner.Handle(migrate, async (parse, output, store, ct) =>
        {
            var target = new ServiceCollection();
            target.AddLogging(l => l.SetMinimumLevel(LogLevel.Warning));
            Store.Layers(target, parse.GetValue(toArtifacts)!, []).UsePostgreSql(o => (o.ConnectionString, o.Schema) = (parse.GetValue(to)!, parse.GetValue(toSchema)!));
            await using var targetStore = target.BuildServiceProvider();
            var report = await output.ProgressAsync("migrate", report =>
                EmbeddedStoreMigration.CopyAsync(store, targetStore, new Progress<MigrationProgress>(p => report(p.Done, p.Total)), ct)).ConfigureAwait(false);
            output.Write(report, CliJson.Default.MigrationReport, r =>
                $"copied {r.Tables.Values.Sum()} rows in {r.Tables.Count} tables, {r.ArtifactsCopied} artifacts ({r.BytesCopied} bytes); audit log intact: {r.AuditLogIntact}");
            return report.AuditLogIntact ? ExitCodes.Success : ExitCodes.Damaged;
        });
        yield return migrate;
    }
}
