using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using MlOps.Sdk.Tracking;
using MlOps.Sdk.Versioning;
using MlOps.Sdk.Versioning.Onnx;
using MlOps.Sdk.Versioning.Storage;
using Xunit;

namespace MlOps.Sdk.Storage.Conformance;

/// <summary>The behaviour every <see cref="ModelRegistryStore"/> must have, exercised through <see cref="ModelRegistry"/>.</summary>
public abstract class ModelRegistryConformanceTests : ProviderTestBase
{
    /// <summary>A key the registry trusts.</summary>
    protected ECDsa TrustedKey { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    /// <summary>The acting user, switchable per call.</summary>
    protected SwitchableIdentity Identity { get; } = new();

    /// <summary>The registry under test.</summary>
    protected ModelRegistry Registry => Services.GetRequiredService<ModelRegistry>();

    /// <summary>Changes a version's stored digest behind the registry's back.</summary>
    protected abstract Task TamperVersionDigestAsync(string model, int number, ContentDigest digest);

    /// <summary>Changes the content of the audit entry at <paramref name="sequence"/> in place.</summary>
    protected abstract Task EditAuditEntryAsync(long sequence);

    /// <summary>Removes the audit entry at <paramref name="sequence"/>.</summary>
    protected abstract Task DeleteAuditEntryAsync(long sequence);

    /// <summary>Exchanges the stored contents of two audit entries.</summary>
    protected abstract Task SwapAuditEntriesAsync(long first, long second);

    /// <inheritdoc />
    protected override void ConfigureLayers(IMlOpsBuilder builder)
    {
        builder.Services.AddSingleton<IActorIdentity>(Identity);
        builder.AddTracking().AddDatasets().AddModelRegistry(r => r
            .RequireApprovalFor("production", approvers: 2)
            .RequireApprovalFor("staging")
            .RequireSignatureFor("signed")
            .TrustSigningKey(TrustedKey));
    }

    /// <inheritdoc />
    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        TrustedKey.Dispose();
    }

    /// <summary>Registers an Identity model with the given input shape.</summary>
    protected Task<ModelVersion> RegisterAsync(string name, params object[] dims) =>
        Registry.RegisterModelAsync(name, new MemoryStream(OnnxModels.Identity(OnnxModels.Float, dims.Length == 0 ? ["batch", 4] : dims)));

    [Fact]
    public virtual async Task RegisterModelAsync_WithAnInputExample_StoresItWithTheVersion_AndReadsItBackVerified()
    {
        byte[] example = [8, 1, 16, 1, 66, 1, 88, 74, 4, 0, 0, 128, 63];
        var plain = await RegisterAsync("fraud");

        var version = await Registry.RegisterVersionAsync("fraud", new MemoryStream(OnnxModels.Identity(OnnxModels.Float, ["batch", 4])), new ModelVersionOptions { InputExample = example });

        Assert.Equal(ContentDigest.Compute(example), version.InputExample);
        Assert.Equal(version.InputExample, (await Registry.GetVersionAsync("fraud", 2))!.InputExample);
        Assert.Equal(version.InputExample, (await Registry.ResolveAsync("fraud/2")).InputExample);
        await using var stored = (await Registry.OpenInputExampleAsync(version))!;
        using var read = new MemoryStream();
        await stored.CopyToAsync(read);
        Assert.Equal(example, read.ToArray());
        Assert.Null(plain.InputExample);
        Assert.Null(await Registry.OpenInputExampleAsync(plain));
    }

    [Fact]
    public virtual async Task RegisterModelAsync_OnnxModel_IsReadyWithItsSignatureAndDigest()
    {
        var bytes = OnnxModels.Identity(OnnxModels.Float, ["batch", 4]);

        var version = await Registry.RegisterModelAsync("fraud", new MemoryStream(bytes));

        Assert.Equal(1, version.Number);
        Assert.Equal(ModelVersionStatus.Ready, version.Status);
        Assert.Equal(ContentDigest.Compute(bytes), version.Digest);
        Assert.Equal(bytes.Length, version.Length);
        Assert.Equal("alice", version.CreatedBy);
        var input = Assert.Single(version.Signature!.Inputs);
        Assert.Equal("X", input.Name);
        Assert.Equal("float", input.ElementType);
        Assert.Equal([new TensorDimension(null, "batch"), new TensorDimension(4, null)], input.Shape);
        Assert.Equal("Y", Assert.Single(version.Signature.Outputs).Name);
        var stored = (await Registry.GetVersionAsync("fraud", 1))!;
        Assert.Equal((version.Number, version.Status, version.Digest, version.Length, version.CreatedAt), (stored.Number, stored.Status, stored.Digest, stored.Length, stored.CreatedAt));
        Assert.Equal(version.Signature, stored.Signature);
        await using var content = await Registry.OpenContentAsync(version);
        Assert.Equal(version.Digest, await ContentDigest.ComputeAsync(content));
    }

    [Fact]
    public virtual async Task RecordDeploymentAsync_IsListedPerVersion_AndShowsInLineage()
    {
        var version = await Registry.RegisterModelAsync("fraud", new MemoryStream(OnnxModels.Identity(OnnxModels.Float, ["batch", 4])));
        var at = DateTimeOffset.FromUnixTimeMilliseconds(1_790_000_000_000);
        await Registry.RecordDeploymentAsync(new ModelDeployment("fraud", 1, version.Digest!.Value, "web-1/42", "primary", at));
        await Registry.RecordDeploymentAsync(new ModelDeployment("fraud", 1, version.Digest!.Value, "web-2/7", "canary", at.AddMinutes(1)));

        var deployments = await Registry.ListDeploymentsAsync("fraud", 1);

        Assert.Equal(
            [new ModelDeployment("fraud", 1, version.Digest!.Value, "web-1/42", "primary", at), new ModelDeployment("fraud", 1, version.Digest!.Value, "web-2/7", "canary", at.AddMinutes(1))],
            deployments);
        Assert.Empty(await Registry.ListDeploymentsAsync("fraud", 2));
        var graph = await Services.GetRequiredService<ILineage>().ForModelVersionAsync("fraud", 1);
        Assert.Equal(2, graph.Edges.Count(e => e.Relation == "deployed on"));
        Assert.Contains(graph.Nodes, n => n.Kind == LineageNodeKind.Deployment && n.Label.StartsWith("web-2/7 (canary)", StringComparison.Ordinal));
    }

    [Fact]
    public virtual async Task RegisterModelAsync_InitializerListedAsInput_IsNotASignatureInput()
    {
        var version = await Registry.RegisterModelAsync("init", new MemoryStream(OnnxModels.Identity(OnnxModels.Float, [1, 4], initializerAsInput: true)));

        Assert.Equal(["X"], version.Signature!.Inputs.Select(i => i.Name));
    }

    [Fact]
    public virtual async Task RegisterModelAsync_NotOnnx_LeavesAFailedVersionAndKeepsNumbering()
    {
        await Assert.ThrowsAsync<OnnxFormatException>(() => Registry.RegisterModelAsync("fraud", new MemoryStream("not a model"u8.ToArray())));

        var failed = await Registry.GetVersionAsync("fraud", 1);
        Assert.Equal(ModelVersionStatus.Failed, failed!.Status);
        Assert.Contains("ONNX", failed.StatusMessage, StringComparison.Ordinal);
        Assert.Equal(2, (await RegisterAsync("fraud")).Number);
        await Assert.ThrowsAsync<MlOpsValidationException>(() => Registry.SetAliasAsync("fraud", "canary", 1));
    }

    [Fact]
    public virtual async Task RegisterModelFromRunAsync_KeepsTheSourceRun()
    {
        var tracker = Services.GetRequiredService<ExperimentTracker>();
        await using var run = await tracker.StartRunAsync("fraud");
        await run.LogArtifactAsync("model/model.onnx", new MemoryStream(OnnxModels.Identity(OnnxModels.Float, ["n", 4])));

        var version = await Registry.RegisterModelFromRunAsync("fraud", run.Id, "model/model.onnx");

        Assert.Equal(run.Id, version.SourceRunId);
        Assert.Equal(ModelVersionStatus.Ready, version.Status);
    }

    [Fact]
    public virtual async Task Models_CreateRenameUpdate_AndRefuseTakenNames()
    {
        await Registry.CreateModelAsync("fraud", "card fraud");
        await Registry.CreateModelAsync("churn");
        await RegisterAsync("fraud");
        await Assert.ThrowsAsync<MlOpsConflictException>(() => Registry.CreateModelAsync("fraud"));
        await Assert.ThrowsAsync<MlOpsConflictException>(() => Registry.RenameModelAsync("fraud", "churn"));

        await Registry.RenameModelAsync("fraud", "card-fraud");
        await Registry.UpdateModelAsync("card-fraud", "renamed", new Dictionary<string, string?> { ["team"] = "risk", ["gone"] = null });

        var model = await Registry.GetModelAsync("card-fraud");
        Assert.Equal("renamed", model!.Description);
        Assert.Equal("risk", model.Tags["team"]);
        Assert.Null(await Registry.GetModelAsync("fraud"));
        Assert.Equal(1, Assert.Single((await Registry.ListVersionsAsync("card-fraud")).Versions).Number);
        Assert.Equal(["card-fraud", "churn"], (await Registry.ListModelsAsync()).Select(m => m.Name));
        await Assert.ThrowsAsync<MlOpsNotFoundException>(() => Registry.RenameModelAsync("missing", "x"));
    }

    [Fact]
    public virtual async Task ListVersionsAsync_Pages_ContinueAfterTheLastNumber()
    {
        for (var i = 0; i < 5; i++)
        {
            await RegisterAsync("fraud");
        }

        await RegisterAsync("churn");
        var first = await Registry.ListVersionsAsync("fraud", maxResults: 2);
        var second = await Registry.ListVersionsAsync("fraud", maxResults: 2, first.NextPageToken);
        var last = await Registry.ListVersionsAsync("fraud", maxResults: 2, second.NextPageToken);

        Assert.Equal([1, 2], first.Versions.Select(v => v.Number));
        Assert.Equal([3, 4], second.Versions.Select(v => v.Number));
        Assert.Equal([5], last.Versions.Select(v => v.Number));
        Assert.Null(last.NextPageToken);
        Assert.Equal([1, 2, 3, 4, 5], (await Registry.ListVersionsAsync("fraud", maxResults: 5)).Versions.Select(v => v.Number));
        Assert.Null((await Registry.ListVersionsAsync("fraud", maxResults: 5)).NextPageToken);
        Assert.Empty((await Registry.ListVersionsAsync("missing")).Versions);
        await Assert.ThrowsAsync<MlOpsValidationException>(() => Registry.ListVersionsAsync("churn", 2, first.NextPageToken));
        await Assert.ThrowsAsync<MlOpsValidationException>(() => Registry.ListVersionsAsync("fraud", 2, "not-a-token"));
        await Assert.ThrowsAsync<MlOpsValidationException>(() => Registry.ListVersionsAsync("fraud", 0));
        await Assert.ThrowsAsync<MlOpsValidationException>(() => Registry.ListVersionsAsync("fraud", 1_001));
    }

    [Fact]
    public virtual async Task Aliases_SetMoveDeleteResolve_AndAnswerWhatTheyPointedToAtAnyTime()
    {
        await RegisterAsync("fraud");
        await RegisterAsync("fraud");
        var moved = new List<AliasMove>();
        Registry.AliasMoved += (_, m) => moved.Add(m);
        var t0 = Time.GetUtcNow();

        await Registry.SetAliasAsync("fraud", "canary", 1, "first");
        Time.Advance(TimeSpan.FromMinutes(1));
        var t1 = Time.GetUtcNow();
        await Registry.SetAliasAsync("fraud", "canary", 2);
        Time.Advance(TimeSpan.FromMinutes(1));
        var t2 = Time.GetUtcNow();
        await Registry.DeleteAliasAsync("fraud", "canary");

        Assert.Equal(1, await Registry.GetAliasAtAsync("fraud", "canary", t0));
        Assert.Equal(1, await Registry.GetAliasAtAsync("fraud", "canary", t1 - TimeSpan.FromSeconds(1)));
        Assert.Equal(2, await Registry.GetAliasAtAsync("fraud", "canary", t1));
        Assert.Null(await Registry.GetAliasAtAsync("fraud", "canary", t2));
        Assert.Null(await Registry.GetAliasAtAsync("fraud", "canary", t0 - TimeSpan.FromSeconds(1)));
        var history = await Registry.GetAliasHistoryAsync("fraud", "canary");
        Assert.Equal([(null, 1), (1, 2), (2, null)], history.Select(h => (h.FromVersion, h.ToVersion)));
        Assert.Equal(3, moved.Count);
        await Assert.ThrowsAsync<MlOpsNotFoundException>(() => Registry.ResolveAsync("fraud@canary"));

        await Registry.SetAliasAsync("fraud", "canary", 2);
        Assert.Equal(2, (await Registry.ResolveAsync("fraud@canary")).Number);
        Assert.Equal(1, (await Registry.ResolveAsync("fraud/1")).Number);
        Assert.Equal(2, (await Registry.GetModelAsync("fraud"))!.Aliases["canary"]);
    }

    [Theory]
    [InlineData("Production")]
    [InlineData("1st")]
    [InlineData("latest")]
    [InlineData("has space")]
    [InlineData("")]
    public virtual async Task SetAliasAsync_InvalidName_ThrowsValidation(string alias)
    {
        await RegisterAsync("fraud");

        await Assert.ThrowsAsync<MlOpsValidationException>(() => Registry.SetAliasAsync("fraud", alias, 1));
    }

    [Theory]
    [InlineData("fraud")]
    [InlineData("fraud@")]
    [InlineData("fraud/0")]
    [InlineData("fraud/x")]
    public virtual async Task ResolveAsync_MalformedReference_ThrowsValidation(string reference)
    {
        await Assert.ThrowsAsync<MlOpsValidationException>(() => Registry.ResolveAsync(reference));
    }

    [Fact]
    public virtual async Task ProtectedAlias_NeedsDistinctApproversOtherThanTheRequester()
    {
        var version = await RegisterAsync("fraud");
        await Assert.ThrowsAsync<GovernanceException>(() => Registry.SetAliasAsync("fraud", "production", 1));

        var request = await Registry.RequestApprovalAsync("fraud", "production", 1, "ready to ship");
        Assert.Equal(version.Digest, request.Digest);
        await Assert.ThrowsAsync<GovernanceException>(() => Registry.ApproveAsync(request.Id));

        Identity.CurrentActor = "bob";
        var once = await Registry.ApproveAsync(request.Id, "looks good");
        Assert.Equal(ApprovalState.Pending, once.State);
        await Assert.ThrowsAsync<MlOpsConflictException>(() => Registry.ApproveAsync(request.Id));
        await Assert.ThrowsAsync<GovernanceException>(() => Registry.SetAliasAsync("fraud", "production", 1));

        Identity.CurrentActor = "carol";
        var twice = await Registry.ApproveAsync(request.Id);
        Assert.Equal(ApprovalState.Approved, twice.State);
        Assert.Equal(["bob", "carol"], twice.Decisions.Select(d => d.Approver));

        var move = await Registry.SetAliasAsync("fraud", "production", 1, "approved release");
        Assert.Equal("carol", move.Actor);
        Assert.Equal(1, (await Registry.ResolveAsync("fraud@production")).Number);
    }

    [Fact]
    public virtual async Task ASelfApproval_IsRefusedAndAudited_RequestsAreListed_AndRecordedActionsJoinTheChain()
    {
        await RegisterAsync("fraud");
        Identity.CurrentActor = "alice";
        var request = await Registry.RequestApprovalAsync("fraud", "production", 1, "ready");
        await Assert.ThrowsAsync<GovernanceException>(() => Registry.ApproveAsync(request.Id, "mine"));
        Assert.Equal(ApprovalState.Pending, (await Registry.GetApprovalRequestAsync(request.Id))!.State);
        Assert.Null(await Registry.GetApprovalRequestAsync(request.Id + 100));
        Assert.Equal([request.Id], (await Registry.ListApprovalRequestsAsync("fraud", "production")).Select(r => r.Id));
        Assert.Empty(await Registry.ListApprovalRequestsAsync("fraud", "staging"));

        Identity.CurrentActor = "oscar";
        await Registry.RecordActionAsync("host.pin", "fraud", "serves version 1", "incident 12");
        await Assert.ThrowsAsync<MlOpsValidationException>(() => Registry.RecordActionAsync("host pin!", "fraud"));

        var entries = new List<Versioning.Audit.AuditEntry>();
        await foreach (var entry in Registry.ReadAuditLogAsync())
        {
            entries.Add(entry);
        }

        var refused = Assert.Single(entries, e => e.Action == "approval.refused");
        Assert.Equal("alice", refused.Actor);
        Assert.Equal("fraud@production", refused.Subject);
        Assert.Contains("cannot approve", refused.Reason, StringComparison.Ordinal);
        var pinned = entries[^1];
        Assert.Equal(("oscar", "host.pin", "fraud", "serves version 1", "incident 12"), (pinned.Actor, pinned.Action, pinned.Subject, pinned.After, pinned.Reason));
        Assert.True((await Registry.VerifyAuditLogAsync()).IsIntact);
    }

    [Fact]
    public virtual async Task Approval_ForOneDigest_DoesNotAllowTheMoveOnceTheVersionsDigestChanged()
    {
        await RegisterAsync("fraud");
        var request = await Registry.RequestApprovalAsync("fraud", "staging", 1);
        Identity.CurrentActor = "bob";
        await Registry.ApproveAsync(request.Id);

        await TamperVersionDigestAsync("fraud", 1, ContentDigest.Compute("other content"u8));

        var error = await Assert.ThrowsAsync<GovernanceException>(() => Registry.SetAliasAsync("fraud", "staging", 1));
        Assert.Contains(ContentDigest.Compute("other content"u8).ToString(), error.Message, StringComparison.Ordinal);
        Assert.False((await Registry.GetModelAsync("fraud"))!.Aliases.ContainsKey("staging"));
        Assert.Empty(await Registry.GetAliasHistoryAsync("fraud", "staging"));
    }

    [Fact]
    public virtual async Task SetAliasAsync_VersionWhoseContentIsGone_IsRefused_AndTheAliasStays()
    {
        var first = await RegisterAsync("fraud");
        await Registry.SetAliasAsync("fraud", "candidate", first.Number);
        var second = await RegisterAsync("fraud", "batch", 8);
        Assert.True(await Services.GetRequiredService<MlOps.Sdk.Artifacts.ArtifactStore>().DeleteAsync(second.Digest!.Value));

        var error = await Assert.ThrowsAsync<MlOpsNotFoundException>(() => Registry.SetAliasAsync("fraud", "candidate", second.Number));

        Assert.Contains(second.Digest!.Value.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Equal(first.Number, (await Registry.ResolveAsync("fraud@candidate")).Number);
        Assert.Single(await Registry.GetAliasHistoryAsync("fraud", "candidate"));
    }

    [Fact]
    public virtual async Task AliasMoved_SubscriberThatThrows_DoesNotUndoTheMove_NorSilenceOthers()
    {
        await RegisterAsync("fraud");
        var seen = new List<int?>();
        Registry.AliasMoved += (_, _) => throw new InvalidOperationException("subscriber bug");
        Registry.AliasMoved += (_, m) => seen.Add(m.ToVersion);

        var move = await Registry.SetAliasAsync("fraud", "candidate", 1);

        Assert.Equal(1, move.ToVersion);
        Assert.Equal([1], seen);
        Assert.Equal(1, (await Registry.ResolveAsync("fraud@candidate")).Number);
    }

    [Fact]
    public virtual async Task Approval_ForOneVersion_DoesNotAllowAnother_AndRejectionBlocks()
    {
        await RegisterAsync("fraud");
        await RegisterAsync("fraud");
        var first = await Registry.RequestApprovalAsync("fraud", "staging", 1);
        var second = await Registry.RequestApprovalAsync("fraud", "staging", 2);
        Identity.CurrentActor = "bob";
        await Registry.ApproveAsync(first.Id);
        var rejected = await Registry.RejectAsync(second.Id, "not yet");

        Assert.Equal(ApprovalState.Rejected, rejected.State);
        await Assert.ThrowsAsync<GovernanceException>(() => Registry.SetAliasAsync("fraud", "staging", 2));
        await Assert.ThrowsAsync<MlOpsConflictException>(() => Registry.ApproveAsync(second.Id));
        await Registry.SetAliasAsync("fraud", "staging", 1);
    }

    [Fact]
    public virtual async Task SignatureProtectedAlias_RefusesUnsignedAndWronglySignedVersions()
    {
        var v1 = await RegisterAsync("fraud");
        var v2 = await RegisterAsync("fraud", "batch", 5);
        await Assert.ThrowsAsync<GovernanceException>(() => Registry.SetAliasAsync("fraud", "signed", 1));

        using (var stranger = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        {
            await Registry.SignVersionAsync("fraud", 1, stranger);
        }

        await Assert.ThrowsAsync<GovernanceException>(() => Registry.SetAliasAsync("fraud", "signed", 1));

        // A trusted key's signature of another version's digest, attached to version 1.
        var wrong = Convert.ToBase64String(TrustedKey.SignData(Convert.FromHexString(v2.Digest!.Value.Hex), HashAlgorithmName.SHA256));
        var keyId = ContentDigest.Compute(TrustedKey.ExportSubjectPublicKeyInfo()).ToString();
        await Services.GetRequiredService<ModelRegistryStore>().AddSignatureAsync("fraud", 1, new VersionSignature(keyId, wrong, "mallory", Time.GetUtcNow()), new(Time.GetUtcNow(), "mallory", "version.sign", "fraud/1", null, keyId, null));
        var tampered = (await Registry.GetVersionAsync("fraud", 1))!;
        Assert.False(Registry.HasTrustedSignature(tampered));
        await Assert.ThrowsAsync<GovernanceException>(() => Registry.SetAliasAsync("fraud", "signed", 1));

        await Registry.SignVersionAsync("fraud", 1, TrustedKey);

        Assert.True(Registry.HasTrustedSignature((await Registry.GetVersionAsync("fraud", 1))!));
        await Registry.SetAliasAsync("fraud", "signed", 1);
        Assert.Equal(v1.Digest, (await Registry.ResolveAsync("fraud@signed")).Digest);
    }

    [Fact]
    public virtual async Task CompareSignaturesAsync_ClassifiesChanges()
    {
        await RegisterAsync("m", "batch", 4);
        await RegisterAsync("m", "batch", 4);
        await RegisterAsync("m", "n", 4);
        await RegisterAsync("m", "batch", 5);
        await Registry.RegisterModelAsync("m", new MemoryStream(OnnxModels.Identity(OnnxModels.Float, ["batch", 4], ["Z"])));
        await Registry.RegisterModelAsync("m", new MemoryStream(OnnxModels.Identity(OnnxModels.Int64, ["batch", 4])));
        await RegisterAsync("m", 1, 4);

        Assert.Equal(SignatureChange.Identical, (await Registry.CompareSignaturesAsync("m", 1, 2)).Change);
        Assert.Equal(SignatureChange.Compatible, (await Registry.CompareSignaturesAsync("m", 1, 3)).Change);
        var wider = await Registry.CompareSignaturesAsync("m", 1, 4);
        Assert.Equal(SignatureChange.Breaking, wider.Change);
        Assert.Contains("input 'X': dimension 1 4 -> 5 (breaking)", wider.Differences);
        Assert.Equal(SignatureChange.Compatible, (await Registry.CompareSignaturesAsync("m", 1, 5)).Change);
        Assert.Equal(SignatureChange.Breaking, (await Registry.CompareSignaturesAsync("m", 5, 1)).Change);
        Assert.Contains("input 'X': element type float -> int64 (breaking)", (await Registry.CompareSignaturesAsync("m", 1, 6)).Differences);
        var freed = await Registry.CompareSignaturesAsync("m", 7, 1);
        Assert.Contains("input 'X': dimension 0 1 -> batch (compatible)", freed.Differences);
        Assert.Contains("output 'Y': dimension 0 1 -> batch (breaking)", freed.Differences);
        Assert.Equal(SignatureChange.Breaking, (await Registry.CompareSignaturesAsync("m", 1, 7)).Change);
    }

    [Fact]
    public virtual async Task AuditLog_RecordsEveryMutationInAnIntactChain()
    {
        await RegisterAsync("fraud");
        var request = await Registry.RequestApprovalAsync("fraud", "staging", 1);
        Identity.CurrentActor = "bob";
        await Registry.ApproveAsync(request.Id);
        await Registry.SetAliasAsync("fraud", "staging", 1, "release 1");
        await Registry.SignVersionAsync("fraud", 1, TrustedKey);
        await Registry.UpdateModelAsync("fraud", "card fraud");

        var verification = await Registry.VerifyAuditLogAsync();

        Assert.True(verification.IsIntact, verification.Problem);
        var entries = new List<MlOps.Sdk.Versioning.Audit.AuditEntry>();
        await foreach (var entry in Registry.ReadAuditLogAsync())
        {
            entries.Add(entry);
        }

        Assert.Equal(["version.reserve", "version.ready", "approval.request", "approval.approve", "alias.move", "version.sign", "model.update"], entries.Select(e => e.Action));
        Assert.Equal(entries.Count, verification.Head!.Sequence);
        var move = entries.Single(e => e.Action == "alias.move");
        Assert.Equal(("bob", "fraud@staging", "fraud/1", "release 1"), (move.Actor, move.Subject, move.After, move.Reason));
        Assert.Equal(Enumerable.Range(1, entries.Count).Select(i => (long)i), entries.Select(e => e.Sequence));
    }

    [Fact]
    public virtual async Task VerifyAuditLogAsync_WithAnEarlierHead_DetectsACutOffTail()
    {
        await RegisterAsync("fraud");
        var head = (await Registry.VerifyAuditLogAsync()).Head!;
        await RegisterAsync("fraud");

        Assert.True((await Registry.VerifyAuditLogAsync(head)).IsIntact);
        Assert.False((await Registry.VerifyAuditLogAsync(head with { Sequence = head.Sequence + 10 })).IsIntact);
    }

    [Theory]
    [InlineData("edit", 3L)]
    [InlineData("delete", 4L)]
    [InlineData("swap", 2L)]
    public virtual async Task VerifyAuditLogAsync_TamperedEntry_ReportsItsPosition(string tampering, long position)
    {
        for (var i = 0; i < 4; i++)
        {
            await RegisterAsync("fraud");
        }

        Assert.True((await Registry.VerifyAuditLogAsync()).IsIntact);
        switch (tampering)
        {
            case "edit":
                await EditAuditEntryAsync(position);
                break;
            case "delete":
                await DeleteAuditEntryAsync(position);
                break;
            default:
                await SwapAuditEntriesAsync(position, position + 3);
                break;
        }

        var verification = await Registry.VerifyAuditLogAsync();

        Assert.False(verification.IsIntact);
        Assert.Equal(position, verification.FirstBadSequence);
        Assert.NotNull(verification.Problem);
    }
}
