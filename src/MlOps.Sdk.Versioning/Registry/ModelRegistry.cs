using System.Security.Cryptography;
using MlOps.Sdk.Versioning.Audit;
using MlOps.Sdk.Versioning.Onnx;

namespace MlOps.Sdk.Versioning;

/// <summary>The model registry: which model versions exist, which one each alias serves, and who changed what.</summary>
public abstract class ModelRegistry
{
    /// <summary>
    /// Raised in this process after an alias moved or was deleted, each handler on the thread pool on its own; the move
    /// waits for them at most <see cref="ModelRegistryOptions.CallbackTimeout"/>. A handler that throws or hangs is logged
    /// and counted (<c>mlops.versioning.callback_errors</c>); the move stands and the other handlers are called.
    /// </summary>
    public abstract event EventHandler<AliasMove>? AliasMoved;

    /// <summary>
    /// Alias moves committed from now on by any process sharing the store, as the store learns of them, until
    /// <paramref name="cancellationToken"/> is cancelled; ends at once when the store cannot tell (the embedded store:
    /// poll <see cref="ResolveAsync"/> instead). Model hosts following an alias use it to swap within moments of a
    /// move made elsewhere.
    /// </summary>
    public virtual async IAsyncEnumerable<AliasMove> WatchAliasMovesAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        yield break;
    }

    /// <summary>Creates a model.</summary>
    public abstract Task<RegisteredModel> CreateModelAsync(string name, string description = "", CancellationToken cancellationToken = default);

    /// <summary>Gets a model, or null.</summary>
    public abstract Task<RegisteredModel?> GetModelAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Lists models.</summary>
    public abstract Task<IReadOnlyList<RegisteredModel>> ListModelsAsync(CancellationToken cancellationToken = default);

    /// <summary>Renames a model.</summary>
    public abstract Task RenameModelAsync(string name, string newName, CancellationToken cancellationToken = default);

    /// <summary>Sets a model's description (when not null) and tags (a null value deletes a tag).</summary>
    public abstract Task UpdateModelAsync(string name, string? description, IReadOnlyDictionary<string, string?>? tags = null, CancellationToken cancellationToken = default);

    /// <summary>Registers a new version from a stream (creating the model when missing); returns once it is ready.</summary>
    /// <exception cref="OnnxFormatException">The content is not an ONNX model (and <see cref="ModelRegistryOptions.AllowNonOnnxModels"/> is off); the version is left failed.</exception>
    public Task<ModelVersion> RegisterModelAsync(string name, Stream content, string? fromRun = null, CancellationToken cancellationToken = default) =>
        RegisterVersionAsync(name, content, new ModelVersionOptions { FromRun = fromRun }, cancellationToken);

    /// <summary>
    /// Registers a new version from a stream (creating the model when missing), with where it came from and an input
    /// example; returns once it is ready. <c>MlOps.Sdk.Serving</c> adds an overload that takes the example as named tensors.
    /// </summary>
    /// <exception cref="OnnxFormatException">The content is not an ONNX model (and <see cref="ModelRegistryOptions.AllowNonOnnxModels"/> is off); the version is left failed.</exception>
    public abstract Task<ModelVersion> RegisterVersionAsync(string name, Stream content, ModelVersionOptions options, CancellationToken cancellationToken = default);

    /// <summary>Opens the input example registered with <paramref name="version"/>, verified against its digest when read to its end; null when it has none.</summary>
    public abstract Task<Stream?> OpenInputExampleAsync(ModelVersion version, CancellationToken cancellationToken = default);

    /// <summary>Registers a new version from a file.</summary>
    public abstract Task<ModelVersion> RegisterModelFileAsync(string name, string path, string? fromRun = null, CancellationToken cancellationToken = default);

    /// <summary>Registers a new version from an artifact of a run; the version keeps the run as its source.</summary>
    public abstract Task<ModelVersion> RegisterModelFromRunAsync(string name, string runId, string artifactPath, CancellationToken cancellationToken = default);

    /// <summary>Gets a version, or null.</summary>
    public abstract Task<ModelVersion?> GetVersionAsync(string name, int number, CancellationToken cancellationToken = default);

    /// <summary>Lists a model's versions from the oldest, a page at a time.</summary>
    /// <param name="name">The model.</param>
    /// <param name="maxResults">The most versions of a page: 1 to 1,000.</param>
    /// <param name="pageToken">The <see cref="ModelVersionPage.NextPageToken"/> of the previous page, or null for the first.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <exception cref="MlOpsValidationException">The page size is out of range, or the token is not one issued for this model.</exception>
    public abstract Task<ModelVersionPage> ListVersionsAsync(string name, int maxResults = 100, string? pageToken = null, CancellationToken cancellationToken = default);

    /// <summary>Resolves <c>name@alias</c> or <c>name/number</c>.</summary>
    /// <exception cref="MlOpsNotFoundException">Nothing answers to the reference.</exception>
    public abstract Task<ModelVersion> ResolveAsync(string reference, CancellationToken cancellationToken = default);

    /// <summary>Opens a ready version's content; the stream verifies the digest when read to its end.</summary>
    /// <exception cref="GovernanceException"><see cref="ModelRegistryOptions.RequireSignatureToOpen"/> is set and the version has no trusted signature.</exception>
    public abstract Task<Stream> OpenContentAsync(ModelVersion version, CancellationToken cancellationToken = default);

    /// <summary>Classifies the change between two versions' ONNX signatures.</summary>
    public abstract Task<SignatureComparison> CompareSignaturesAsync(string name, int fromVersion, int toVersion, CancellationToken cancellationToken = default);

    /// <summary>
    /// Points an alias at a version, after checking the alias's approval and signature policies and reading the version's
    /// content through its digest check: an alias never points to content a host could not load.
    /// </summary>
    /// <exception cref="GovernanceException">A policy refuses the move.</exception>
    /// <exception cref="MlOpsNotFoundException">The version, or its content in the artifact store, does not exist.</exception>
    /// <exception cref="ArtifactIntegrityException">The stored content no longer matches the version's digest.</exception>
    public abstract Task<AliasMove> SetAliasAsync(string name, string alias, int version, string? reason = null, CancellationToken cancellationToken = default);

    /// <summary>Deletes an alias.</summary>
    public abstract Task<AliasMove> DeleteAliasAsync(string name, string alias, string? reason = null, CancellationToken cancellationToken = default);

    /// <summary>Which version <paramref name="alias"/> pointed to at <paramref name="at"/>, or null.</summary>
    public abstract Task<int?> GetAliasAtAsync(string name, string alias, DateTimeOffset at, CancellationToken cancellationToken = default);

    /// <summary>Records that a version started serving somewhere; model hosts call it on every swap, for lineage.</summary>
    public abstract Task RecordDeploymentAsync(ModelDeployment deployment, CancellationToken cancellationToken = default);

    /// <summary>Where a version has served, oldest first.</summary>
    public abstract Task<IReadOnlyList<ModelDeployment>> ListDeploymentsAsync(string name, int version, CancellationToken cancellationToken = default);

    /// <summary>Every move of a model's aliases (of one alias when given), oldest first.</summary>
    public abstract Task<IReadOnlyList<AliasMove>> GetAliasHistoryAsync(string name, string? alias = null, CancellationToken cancellationToken = default);

    /// <summary>Asks for approval to point a protected alias at a version; binds to the version's current digest.</summary>
    public abstract Task<ApprovalRequest> RequestApprovalAsync(string name, string alias, int version, string? comment = null, CancellationToken cancellationToken = default);

    /// <summary>Gets an approval request, or null.</summary>
    public abstract Task<ApprovalRequest?> GetApprovalRequestAsync(long requestId, CancellationToken cancellationToken = default);

    /// <summary>Lists the approval requests of a model's alias, newest first.</summary>
    public abstract Task<IReadOnlyList<ApprovalRequest>> ListApprovalRequestsAsync(string name, string alias, CancellationToken cancellationToken = default);

    /// <summary>
    /// Approves a request as the current actor, who must not be its requester: a requester's own approval is refused with
    /// a <see cref="GovernanceException"/> and the refusal is recorded in the audit log (<c>approval.refused</c>).
    /// </summary>
    public abstract Task<ApprovalRequest> ApproveAsync(long requestId, string? comment = null, CancellationToken cancellationToken = default);

    /// <summary>Rejects a request as the current actor.</summary>
    public abstract Task<ApprovalRequest> RejectAsync(long requestId, string? comment = null, CancellationToken cancellationToken = default);

    /// <summary>Signs a ready version's digest with an ECDSA P-256 private key and stores the signature.</summary>
    public abstract Task<VersionSignature> SignVersionAsync(string name, int number, ECDsa privateKey, CancellationToken cancellationToken = default);

    /// <summary>Whether the version carries a valid signature of its digest by a trusted key.</summary>
    public abstract bool HasTrustedSignature(ModelVersion version);

    /// <summary>
    /// Records, as the current actor, an action on a model taken outside the registry (a model host pinned or rolled back
    /// by an operator, say) in the audit log, so that the log tells every governance action and who took it.
    /// </summary>
    /// <param name="action">What was done, such as <c>host.pin</c>: letters, digits, <c>.</c>, <c>_</c> and <c>-</c>.</param>
    /// <param name="subject">What it was done to, such as <c>fraud</c> or <c>fraud/3</c>.</param>
    /// <param name="detail">The state it left, such as the version now served; null when there is nothing to say.</param>
    /// <param name="reason">Why, in the actor's words; null when none was given.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <exception cref="MlOpsValidationException">The action is not a well-formed name, or a text is not well-formed.</exception>
    public abstract Task RecordActionAsync(string action, string subject, string? detail = null, string? reason = null, CancellationToken cancellationToken = default);

    /// <summary>Checks the hash chain of the audit log; reports the first entry altered, removed or reordered.</summary>
    /// <param name="expectedHead">The head of an earlier verification, kept outside the store, to detect a cut-off tail.</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    public abstract Task<AuditVerification> VerifyAuditLogAsync(AuditLogHead? expectedHead = null, CancellationToken cancellationToken = default);

    /// <summary>Reads the audit log in order.</summary>
    public abstract IAsyncEnumerable<AuditEntry> ReadAuditLogAsync(CancellationToken cancellationToken = default);
}
