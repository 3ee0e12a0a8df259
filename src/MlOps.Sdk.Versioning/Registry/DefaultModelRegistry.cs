using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using MlOps.Sdk.Artifacts;
using MlOps.Sdk.Tracking;
using MlOps.Sdk.Versioning.Audit;
using MlOps.Sdk.Versioning.Onnx;
using MlOps.Sdk.Versioning.Storage;

namespace MlOps.Sdk.Versioning.Registry;

internal sealed class DefaultModelRegistry(
    ModelRegistryStore store,
    ArtifactStore artifacts,
    ExperimentTracker? tracker,
    IActorIdentity identity,
    ModelRegistryOptions options,
    VersioningTelemetry telemetry,
    TimeProvider time,
    Microsoft.Extensions.Logging.ILogger logger) : ModelRegistry
{
    private readonly CallbackGuard _callbacks = new(telemetry.CallbackErrors, logger, options.CallbackTimeout);

    public override event EventHandler<AliasMove>? AliasMoved;

    public override IAsyncEnumerable<AliasMove> WatchAliasMovesAsync(CancellationToken cancellationToken = default) => store.WatchAliasMovesAsync(cancellationToken);

    public override Task<RegisteredModel> CreateModelAsync(string name, string description = "", CancellationToken cancellationToken = default)
    {
        ValidateModelName(name);
        return store.CreateModelAsync(name, description, Draft("model.create", name, null, description), cancellationToken);
    }

    public override Task<RegisteredModel?> GetModelAsync(string name, CancellationToken cancellationToken = default) => store.GetModelAsync(name, cancellationToken);

    public override Task<IReadOnlyList<RegisteredModel>> ListModelsAsync(CancellationToken cancellationToken = default) => store.ListModelsAsync(cancellationToken);

    public override Task RenameModelAsync(string name, string newName, CancellationToken cancellationToken = default)
    {
        ValidateModelName(newName);
        return store.RenameModelAsync(name, newName, Draft("model.rename", name, name, newName), cancellationToken);
    }

    public override Task UpdateModelAsync(string name, string? description, IReadOnlyDictionary<string, string?>? tags = null, CancellationToken cancellationToken = default)
    {
        tags ??= new Dictionary<string, string?>();
        foreach (var (key, value) in tags)
        {
            TrackingLimits.ValidateKey(key, "model tag");
            WellFormedText.Require(value, $"The value of model tag '{key}'");
            if (value is not null && value.Length > TrackingLimits.MaxTagValueLength)
            {
                throw new MlOpsValidationException($"The value of model tag '{key}' is longer than {TrackingLimits.MaxTagValueLength} characters.");
            }
        }

        var after = string.Join(", ", tags.Select(t => $"{t.Key}={t.Value ?? "(deleted)"}"));
        return store.UpdateModelAsync(name, description, tags, Draft("model.update", name, null, description is null ? after : $"description={description}; {after}"), cancellationToken);
    }

    public override Task<ModelVersion> RegisterVersionAsync(string name, Stream content, ModelVersionOptions options, CancellationToken cancellationToken = default) =>
        VersioningTelemetry.TraceAsync("mlops.registry.register", name, () => RegisterModelCoreAsync(name, content, options, cancellationToken));

    private async Task<ModelVersion> RegisterModelCoreAsync(string name, Stream content, ModelVersionOptions registration, CancellationToken cancellationToken)
    {
        ValidateModelName(name);
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(registration);
        var fromRun = registration.FromRun;
        var pending = await store.ReserveVersionAsync(name, fromRun, Draft("version.reserve", name, null, fromRun is null ? null : $"run {fromRun}"), cancellationToken).ConfigureAwait(false);
        var subject = pending.Reference;
        try
        {
            var stored = await artifacts.PutAsync(content, cancellationToken).ConfigureAwait(false);
            var signature = await ReadSignatureAsync(stored.Digest, cancellationToken).ConfigureAwait(false);
            var example = registration.InputExample is { } bytes
                ? (await artifacts.PutAsync(new MemoryStream(bytes.ToArray(), writable: false), cancellationToken).ConfigureAwait(false)).Digest
                : (ContentDigest?)null;
            var ready = await store.CompleteVersionAsync(name, pending.Number, stored.Digest, stored.Length, signature, example, Draft("version.ready", subject, null, stored.Digest.ToString()), cancellationToken).ConfigureAwait(false);
            telemetry.VersionsRegistered.Add(1);
            return ready;
        }
        catch (Exception e)
        {
            try
            {
                await store.FailVersionAsync(name, pending.Number, e.Message, Draft("version.fail", subject, null, e.Message), CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception failure) when (failure is not OperationCanceledException)
            {
                // The version stays pending; the caller still learns what went wrong first.
                throw new AggregateException(e, failure);
            }

            throw;
        }
    }

    public override async Task<ModelVersion> RegisterModelFileAsync(string name, string path, string? fromRun = null, CancellationToken cancellationToken = default)
    {
        var file = File.OpenRead(path);
        await using (file.ConfigureAwait(false))
        {
            return await RegisterModelAsync(name, file, fromRun, cancellationToken).ConfigureAwait(false);
        }
    }

    public override async Task<ModelVersion> RegisterModelFromRunAsync(string name, string runId, string artifactPath, CancellationToken cancellationToken = default)
    {
        var runs = tracker ?? throw new MlOpsException("Registering from a run needs the Tracking layer: call .AddTracking().");
        var content = await runs.OpenArtifactAsync(runId, artifactPath, cancellationToken).ConfigureAwait(false);
        await using (content.ConfigureAwait(false))
        {
            return await RegisterModelAsync(name, content, runId, cancellationToken).ConfigureAwait(false);
        }
    }

    public override Task<ModelVersion?> GetVersionAsync(string name, int number, CancellationToken cancellationToken = default) => store.GetVersionAsync(name, number, cancellationToken);

    public override async Task<ModelVersionPage> ListVersionsAsync(string name, int maxResults = 100, string? pageToken = null, CancellationToken cancellationToken = default)
    {
        var (versions, next) = await VersionPageToken.ReadAsync(name, maxResults, pageToken, (after, limit) => store.ListVersionsAsync(name, after, limit, cancellationToken), v => v.Number).ConfigureAwait(false);
        return new ModelVersionPage(versions, next);
    }

    public override async Task<ModelVersion> ResolveAsync(string reference, CancellationToken cancellationToken = default)
    {
        var parsed = ModelReference.Parse(reference);
        var version = parsed.Alias is null
            ? await store.GetVersionAsync(parsed.ModelName, parsed.Version!.Value, cancellationToken).ConfigureAwait(false)
            : await store.ResolveAliasAsync(parsed.ModelName, parsed.Alias, cancellationToken).ConfigureAwait(false);
        return version ?? throw new MlOpsNotFoundException($"Nothing answers to '{reference}': no such model, alias or version.");
    }

    public override async Task<Stream?> OpenInputExampleAsync(ModelVersion version, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(version);
        return version.InputExample is { } digest ? await artifacts.OpenReadAsync(digest, cancellationToken).ConfigureAwait(false) : null;
    }

    public override async Task<Stream> OpenContentAsync(ModelVersion version, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(version);
        if (version.Status != ModelVersionStatus.Ready || version.Digest is not { } digest)
        {
            throw new MlOpsValidationException($"Version {version.Reference} is {version.Status.ToString().ToLowerInvariant()}, not ready.");
        }

        // The signatures are read from the store, not taken from the caller's copy of the version.
        if (options.RequireSignatureToOpen && !HasTrustedSignature(await RequireVersionAsync(version.ModelName, version.Number, cancellationToken).ConfigureAwait(false)))
        {
            throw new GovernanceException($"{version.Reference} has no valid signature by a trusted key, and the registry requires one to open a model.");
        }

        return await artifacts.OpenReadAsync(digest, cancellationToken).ConfigureAwait(false);
    }

    public override async Task<SignatureComparison> CompareSignaturesAsync(string name, int fromVersion, int toVersion, CancellationToken cancellationToken = default)
    {
        var older = await RequireVersionAsync(name, fromVersion, cancellationToken).ConfigureAwait(false);
        var newer = await RequireVersionAsync(name, toVersion, cancellationToken).ConfigureAwait(false);
        if (older.Signature is null || newer.Signature is null)
        {
            throw new MlOpsValidationException($"Both {older.Reference} and {newer.Reference} must be ONNX models with a signature to compare.");
        }

        return SignatureComparison.Compare(older.Signature, newer.Signature);
    }

    public override Task<AliasMove> SetAliasAsync(string name, string alias, int version, string? reason = null, CancellationToken cancellationToken = default) =>
        VersioningTelemetry.TraceAsync("mlops.registry.set_alias", $"{name}@{alias}", () => SetAliasCoreAsync(name, alias, version, reason, cancellationToken));

    private async Task<AliasMove> SetAliasCoreAsync(string name, string alias, int version, string? reason = null, CancellationToken cancellationToken = default)
    {
        ModelReference.ValidateAlias(alias);
        var target = await RequireVersionAsync(name, version, cancellationToken).ConfigureAwait(false);
        if (target.Status != ModelVersionStatus.Ready || target.Digest is not { } digest)
        {
            throw new MlOpsValidationException($"Version {target.Reference} is {target.Status.ToString().ToLowerInvariant()}; only a ready version can take an alias.");
        }

        if (options.SignaturePolicies.Contains(alias) && !HasTrustedSignature(target))
        {
            throw new GovernanceException($"Alias '{alias}' needs a valid signature of {target.Reference} ({digest}) by a trusted key; the version has none.");
        }

        if (options.ApprovalPolicies.TryGetValue(alias, out var approvers))
        {
            var approved = (await store.ListApprovalRequestsAsync(name, alias, cancellationToken).ConfigureAwait(false))
                .Any(r => r.State == ApprovalState.Approved && r.Version == version && r.Digest == digest && CountApprovals(r) >= approvers);
            if (!approved)
            {
                throw new GovernanceException(
                    $"Alias '{alias}' needs {approvers} approval(s) of {target.Reference} with digest {digest}. Call RequestApprovalAsync and have it approved; approvals given for other content do not count.");
            }
        }

        await VerifyContentAsync(target, alias, digest, cancellationToken).ConfigureAwait(false);

        // The digest is checked again inside the store's transaction: content that changed since the checks above is refused.
        var move = await store.MoveAliasAsync(name, alias, version, digest, Draft("alias.move", $"{name}@{alias}", null, target.Reference, reason), cancellationToken).ConfigureAwait(false);
        telemetry.AliasMoves.Add(1);
        await _callbacks.RaiseAsync(nameof(AliasMoved), AliasMoved, this, move).ConfigureAwait(false);
        return move;
    }

    /// <summary>Reads the version's content through the digest check: an alias never points to content a host could not load.</summary>
    private async Task VerifyContentAsync(ModelVersion target, string alias, ContentDigest digest, CancellationToken cancellationToken)
    {
        if (!await artifacts.ExistsAsync(digest, cancellationToken).ConfigureAwait(false))
        {
            throw new MlOpsNotFoundException($"{target.Reference} cannot take alias '{alias}': its content {digest} is missing from the artifact store. Register the model again, or restore the content from a backup.");
        }

        var content = await artifacts.OpenReadAsync(digest, cancellationToken).ConfigureAwait(false);
        await using (content.ConfigureAwait(false))
        {
            // Reading to the end is what verifies the digest; a mismatch throws ArtifactIntegrityException.
            await content.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
        }
    }

    public override Task<AliasMove> DeleteAliasAsync(string name, string alias, string? reason = null, CancellationToken cancellationToken = default) =>
        VersioningTelemetry.TraceAsync("mlops.registry.delete_alias", $"{name}@{alias}", () => DeleteAliasCoreAsync(name, alias, reason, cancellationToken));

    private async Task<AliasMove> DeleteAliasCoreAsync(string name, string alias, string? reason = null, CancellationToken cancellationToken = default)
    {
        ModelReference.ValidateAlias(alias);
        var move = await store.MoveAliasAsync(name, alias, null, null, Draft("alias.delete", $"{name}@{alias}", null, null, reason), cancellationToken).ConfigureAwait(false);
        await _callbacks.RaiseAsync(nameof(AliasMoved), AliasMoved, this, move).ConfigureAwait(false);
        return move;
    }

    public override async Task<int?> GetAliasAtAsync(string name, string alias, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        var history = await store.GetAliasHistoryAsync(name, alias, cancellationToken).ConfigureAwait(false);
        return history.LastOrDefault(m => m.At <= at)?.ToVersion;
    }

    public override Task RecordDeploymentAsync(ModelDeployment deployment, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        ArgumentException.ThrowIfNullOrEmpty(deployment.Instance);
        return store.RecordDeploymentAsync(deployment, cancellationToken);
    }

    public override Task<IReadOnlyList<ModelDeployment>> ListDeploymentsAsync(string name, int version, CancellationToken cancellationToken = default) =>
        store.ListDeploymentsAsync(name, version, cancellationToken);

    public override Task<IReadOnlyList<AliasMove>> GetAliasHistoryAsync(string name, string? alias = null, CancellationToken cancellationToken = default) =>
        store.GetAliasHistoryAsync(name, alias, cancellationToken);

    public override Task<ApprovalRequest> RequestApprovalAsync(string name, string alias, int version, string? comment = null, CancellationToken cancellationToken = default) =>
        VersioningTelemetry.TraceAsync("mlops.registry.request_approval", $"{name}@{alias}", () => RequestApprovalCoreAsync(name, alias, version, comment, cancellationToken));

    private async Task<ApprovalRequest> RequestApprovalCoreAsync(string name, string alias, int version, string? comment = null, CancellationToken cancellationToken = default)
    {
        ModelReference.ValidateAlias(alias);
        var target = await RequireVersionAsync(name, version, cancellationToken).ConfigureAwait(false);
        if (target.Digest is not { } digest || target.Status != ModelVersionStatus.Ready)
        {
            throw new MlOpsValidationException($"Version {target.Reference} is not ready; only a ready version can be approved.");
        }

        var required = options.ApprovalPolicies.GetValueOrDefault(alias, 1);
        var request = new ApprovalRequest(0, name, alias, version, digest, required, identity.CurrentActor, comment, time.GetUtcNow(), ApprovalState.Pending, []);
        return await store.CreateApprovalRequestAsync(request, Draft("approval.request", $"{name}@{alias}", null, $"{target.Reference} {digest}", comment), cancellationToken).ConfigureAwait(false);
    }

    public override Task<ApprovalRequest?> GetApprovalRequestAsync(long requestId, CancellationToken cancellationToken = default) =>
        store.GetApprovalRequestAsync(requestId, cancellationToken);

    public override Task<IReadOnlyList<ApprovalRequest>> ListApprovalRequestsAsync(string name, string alias, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ModelReference.ValidateAlias(alias);
        return store.ListApprovalRequestsAsync(name, alias, cancellationToken);
    }

    public override Task RecordActionAsync(string action, string subject, string? detail = null, string? reason = null, CancellationToken cancellationToken = default)
    {
        TrackingLimits.ValidateKey(action, "audit action");
        ArgumentException.ThrowIfNullOrEmpty(subject);
        WellFormedText.Require(subject, $"The subject of {action}");
        return store.AppendAuditAsync(Draft(action, subject, null, detail, reason), cancellationToken);
    }

    public override Task<ApprovalRequest> ApproveAsync(long requestId, string? comment = null, CancellationToken cancellationToken = default) =>
        VersioningTelemetry.TraceAsync("mlops.registry.approve", $"request/{requestId}", () => DecideAsync(requestId, approved: true, comment, cancellationToken));

    public override Task<ApprovalRequest> RejectAsync(long requestId, string? comment = null, CancellationToken cancellationToken = default) =>
        VersioningTelemetry.TraceAsync("mlops.registry.reject", $"request/{requestId}", () => DecideAsync(requestId, approved: false, comment, cancellationToken));

    public override Task<VersionSignature> SignVersionAsync(string name, int number, ECDsa privateKey, CancellationToken cancellationToken = default) =>
        VersioningTelemetry.TraceAsync("mlops.registry.sign", $"{name}/{number}", () => SignVersionCoreAsync(name, number, privateKey, cancellationToken));

    private async Task<VersionSignature> SignVersionCoreAsync(string name, int number, ECDsa privateKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(privateKey);
        var version = await RequireVersionAsync(name, number, cancellationToken).ConfigureAwait(false);
        var digest = version.Digest ?? throw new MlOpsValidationException($"Version {version.Reference} is not ready and cannot be signed.");
        var signature = new VersionSignature(
            ModelRegistryOptions.KeyId(privateKey.ExportSubjectPublicKeyInfo()),
            Convert.ToBase64String(privateKey.SignData(Convert.FromHexString(digest.Hex), HashAlgorithmName.SHA256)),
            identity.CurrentActor,
            time.GetUtcNow());
        await store.AddSignatureAsync(name, number, signature, Draft("version.sign", version.Reference, null, signature.KeyId), cancellationToken).ConfigureAwait(false);
        return signature;
    }

    public override bool HasTrustedSignature(ModelVersion version)
    {
        ArgumentNullException.ThrowIfNull(version);
        if (version.Digest is not { } digest)
        {
            return false;
        }

        var data = Convert.FromHexString(digest.Hex);
        Span<byte> bytes = stackalloc byte[256];
        foreach (var signature in version.Signatures)
        {
            if (!options.TrustedKeys.TryGetValue(signature.KeyId, out var spki))
            {
                continue;
            }

            using var key = ECDsa.Create();
            key.ImportSubjectPublicKeyInfo(spki, out _);
            if (Convert.TryFromBase64String(signature.Signature, bytes, out var written) && key.VerifyData(data, bytes[..written], HashAlgorithmName.SHA256))
            {
                return true;
            }
        }

        return false;
    }

    public override Task<AuditVerification> VerifyAuditLogAsync(AuditLogHead? expectedHead = null, CancellationToken cancellationToken = default) =>
        VersioningTelemetry.TraceAsync("mlops.registry.verify_audit_log", "audit_log", () => VerifyAuditLogCoreAsync(expectedHead, cancellationToken));

    private async Task<AuditVerification> VerifyAuditLogCoreAsync(AuditLogHead? expectedHead = null, CancellationToken cancellationToken = default)
    {
        var entries = new List<AuditEntry>();
        await foreach (var entry in store.ReadAuditLogAsync(cancellationToken).ConfigureAwait(false))
        {
            entries.Add(entry);
        }

        return AuditChain.Verify(entries, expectedHead);
    }

    public override async IAsyncEnumerable<AuditEntry> ReadAuditLogAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var entry in store.ReadAuditLogAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return entry;
        }
    }

    private async Task<ApprovalRequest> DecideAsync(long requestId, bool approved, string? comment, CancellationToken cancellationToken)
    {
        var request = await store.GetApprovalRequestAsync(requestId, cancellationToken).ConfigureAwait(false)
            ?? throw new MlOpsNotFoundException($"No approval request has id {requestId}.");
        var actor = identity.CurrentActor;
        if (approved && string.Equals(actor, request.Requester, StringComparison.Ordinal))
        {
            var refusal = $"'{actor}' asked for request {requestId} and cannot approve it; another person must.";
            await store.AppendAuditAsync(Draft("approval.refused", $"{request.ModelName}@{request.Alias}", null, $"request {requestId} {request.ModelName}/{request.Version} {request.Digest}", refusal), cancellationToken).ConfigureAwait(false);
            throw new GovernanceException(refusal);
        }

        var decision = new ApprovalDecision(actor, approved, comment, time.GetUtcNow());
        var approvals = CountApprovals(request) + (approved ? 1 : 0);
        var state = !approved ? ApprovalState.Rejected : approvals >= request.RequiredApprovals ? ApprovalState.Approved : ApprovalState.Pending;
        var subject = $"{request.ModelName}@{request.Alias}";
        return await store.AddDecisionAsync(requestId, decision, state, Draft(approved ? "approval.approve" : "approval.reject", subject, null, $"request {requestId} {request.ModelName}/{request.Version} {request.Digest}", comment), cancellationToken).ConfigureAwait(false);
    }

    private static int CountApprovals(ApprovalRequest request) =>
        request.Decisions.Where(d => d.Approved && d.Approver != request.Requester).Select(d => d.Approver).Distinct(StringComparer.Ordinal).Count();

    private async Task<ModelSignature?> ReadSignatureAsync(ContentDigest digest, CancellationToken cancellationToken)
    {
        var stream = await artifacts.OpenReadAsync(digest, cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            try
            {
                var signature = OnnxSignatureReader.Read(stream);
                await stream.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
                return signature;
            }
            catch (OnnxFormatException) when (options.AllowNonOnnxModels)
            {
                return null;
            }
        }
    }

    private async Task<ModelVersion> RequireVersionAsync(string name, int number, CancellationToken cancellationToken) =>
        await store.GetVersionAsync(name, number, cancellationToken).ConfigureAwait(false)
        ?? throw new MlOpsNotFoundException($"Model '{name}' has no version {number}.");

    /// <summary>Every registry write passes here: the free text it records (descriptions, reasons, comments) must be well-formed.</summary>
    private AuditDraft Draft(string action, string subject, string? before, string? after, string? reason = null)
    {
        WellFormedText.Require(after, $"The new value of {subject}");
        WellFormedText.Require(reason, $"The reason or comment for {action} of {subject}");
        return new(time.GetUtcNow(), identity.CurrentActor, action, subject, before, after, reason);
    }

    private static void ValidateModelName(string name) => TrackingLimits.ValidateKey(name, "model name");
}
