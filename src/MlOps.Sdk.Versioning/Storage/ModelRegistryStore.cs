using MlOps.Sdk.Versioning.Audit;
using MlOps.Sdk.Versioning.Onnx;

namespace MlOps.Sdk.Versioning.Storage;

/// <summary>
/// The metadata store of the model registry. Every mutation appends its <see cref="AuditDraft"/> to the hash-chained
/// audit log in the same transaction; version numbers and alias moves are transactional across processes.
/// </summary>
public abstract class ModelRegistryStore
{
    /// <summary>Creates a model.</summary>
    /// <exception cref="MlOpsConflictException">The name is taken.</exception>
    public abstract Task<RegisteredModel> CreateModelAsync(string name, string description, AuditDraft audit, CancellationToken cancellationToken = default);

    /// <summary>Gets a model, or null.</summary>
    public abstract Task<RegisteredModel?> GetModelAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Lists models by name.</summary>
    public abstract Task<IReadOnlyList<RegisteredModel>> ListModelsAsync(CancellationToken cancellationToken = default);

    /// <summary>Renames a model; its versions, aliases and history follow.</summary>
    /// <exception cref="MlOpsNotFoundException">No such model.</exception>
    /// <exception cref="MlOpsConflictException">The new name is taken.</exception>
    public abstract Task RenameModelAsync(string name, string newName, AuditDraft audit, CancellationToken cancellationToken = default);

    /// <summary>Sets the description (when not null) and sets or, with a null value, deletes tags.</summary>
    /// <exception cref="MlOpsNotFoundException">No such model.</exception>
    public abstract Task UpdateModelAsync(string name, string? description, IReadOnlyDictionary<string, string?> tags, AuditDraft audit, CancellationToken cancellationToken = default);

    /// <summary>Takes the next version number of a model (the model is created when missing) as a pending version.</summary>
    public abstract Task<ModelVersion> ReserveVersionAsync(string modelName, string? sourceRunId, AuditDraft audit, CancellationToken cancellationToken = default);

    /// <summary>Marks a pending version ready with its content.</summary>
    /// <exception cref="MlOpsConflictException">The version is not pending.</exception>
    public abstract Task<ModelVersion> CompleteVersionAsync(string modelName, int number, ContentDigest digest, long length, ModelSignature? signature, ContentDigest? inputExample, AuditDraft audit, CancellationToken cancellationToken = default);

    /// <summary>Marks a pending version failed.</summary>
    public abstract Task FailVersionAsync(string modelName, int number, string message, AuditDraft audit, CancellationToken cancellationToken = default);

    /// <summary>Gets a version, or null.</summary>
    public abstract Task<ModelVersion?> GetVersionAsync(string modelName, int number, CancellationToken cancellationToken = default);

    /// <summary>Gets the version an alias points to, or null when the model or alias does not exist.</summary>
    public abstract Task<ModelVersion?> ResolveAliasAsync(string modelName, string alias, CancellationToken cancellationToken = default);

    /// <summary>Lists at most <paramref name="limit"/> versions of a model numbered above <paramref name="afterNumber"/>, by number.</summary>
    public abstract Task<IReadOnlyList<ModelVersion>> ListVersionsAsync(string modelName, int afterNumber, int limit, CancellationToken cancellationToken = default);

    /// <summary>Finds the versions registered from any of <paramref name="runIds"/>.</summary>
    public abstract Task<IReadOnlyList<ModelVersion>> FindVersionsFromRunsAsync(IReadOnlyCollection<string> runIds, CancellationToken cancellationToken = default);

    /// <summary>
    /// Points an alias at a version, or deletes it when <paramref name="version"/> is null, and records the move.
    /// When <paramref name="expectedDigest"/> is given, the version must be ready with that digest at the moment of the move.
    /// </summary>
    /// <exception cref="MlOpsNotFoundException">The model or version does not exist.</exception>
    /// <exception cref="MlOpsConflictException">The version is not ready or its digest is not the expected one.</exception>
    public abstract Task<AliasMove> MoveAliasAsync(string modelName, string alias, int? version, ContentDigest? expectedDigest, AuditDraft audit, CancellationToken cancellationToken = default);

    /// <summary>Records that a version started serving somewhere.</summary>
    public abstract Task RecordDeploymentAsync(ModelDeployment deployment, CancellationToken cancellationToken = default);

    /// <summary>Where a version has served, oldest first.</summary>
    public abstract Task<IReadOnlyList<ModelDeployment>> ListDeploymentsAsync(string modelName, int version, CancellationToken cancellationToken = default);

    /// <summary>Every move of a model's aliases (of one alias when given), oldest first.</summary>
    public abstract Task<IReadOnlyList<AliasMove>> GetAliasHistoryAsync(string modelName, string? alias, CancellationToken cancellationToken = default);

    /// <summary>Records an approval request.</summary>
    public abstract Task<ApprovalRequest> CreateApprovalRequestAsync(ApprovalRequest request, AuditDraft audit, CancellationToken cancellationToken = default);

    /// <summary>Gets an approval request, or null.</summary>
    public abstract Task<ApprovalRequest?> GetApprovalRequestAsync(long id, CancellationToken cancellationToken = default);

    /// <summary>Lists the approval requests of a model's alias, newest first.</summary>
    public abstract Task<IReadOnlyList<ApprovalRequest>> ListApprovalRequestsAsync(string modelName, string alias, CancellationToken cancellationToken = default);

    /// <summary>Adds a decision and sets the request's new state, if the request is still pending.</summary>
    /// <exception cref="MlOpsConflictException">The request is no longer pending, or the approver already decided.</exception>
    public abstract Task<ApprovalRequest> AddDecisionAsync(long id, ApprovalDecision decision, ApprovalState newState, AuditDraft audit, CancellationToken cancellationToken = default);

    /// <summary>Adds a signature to a ready version.</summary>
    public abstract Task AddSignatureAsync(string modelName, int number, VersionSignature signature, AuditDraft audit, CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends an entry for an action recorded by the registry without a change to its own tables: a model host pinned,
    /// unpinned or rolled back through the management API, a governance check that refused an action.
    /// </summary>
    public abstract Task AppendAuditAsync(AuditDraft audit, CancellationToken cancellationToken = default);

    /// <summary>
    /// The alias moves that other processes commit from now on, as they commit, in the order they committed, until
    /// <paramref name="cancellationToken"/> is cancelled. Stores shared by many processes override it (PostgreSQL's
    /// <c>LISTEN/NOTIFY</c>); this implementation yields nothing and ends at once, and hosts see other processes' moves
    /// by polling alone.
    /// </summary>
    public virtual async IAsyncEnumerable<AliasMove> WatchAliasMovesAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        yield break;
    }

    /// <summary>Every artifact digest a model version references (its content, its input example), each at least once, for garbage collection.</summary>
    public abstract IAsyncEnumerable<ContentDigest> ListReferencedArtifactsAsync(CancellationToken cancellationToken = default);

    /// <summary>Reads the whole audit log (registry and datasets) in sequence order.</summary>
    public abstract IAsyncEnumerable<AuditEntry> ReadAuditLogAsync(CancellationToken cancellationToken = default);
}
