using System.Runtime.CompilerServices;
using MlOps.Sdk.Versioning;
using MlOps.Sdk.Versioning.Audit;
using MlOps.Sdk.Versioning.Onnx;
using MlOps.Sdk.Versioning.Storage;

namespace MlOps.Sdk.Testing.Versioning;

/// <summary>A model registry store in memory, with the same behaviour as the durable providers.</summary>
public sealed class InMemoryModelRegistryStore(InMemoryAuditLog log) : ModelRegistryStore
{
    private readonly Dictionary<string, ModelState> _models = new(StringComparer.Ordinal);
    private readonly List<ApprovalRequest> _requests = [];
    private readonly List<ModelDeployment> _deployments = [];

    /// <inheritdoc />
    public override Task<RegisteredModel> CreateModelAsync(string name, string description, AuditDraft audit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(audit);
        lock (log.Sync)
        {
            if (_models.ContainsKey(name))
            {
                throw new MlOpsConflictException($"A model named '{name}' already exists.");
            }

            _models[name] = new ModelState(description, Ms(audit.Time));
            log.Append(audit);
            return Task.FromResult(Snapshot(name, _models[name]));
        }
    }

    /// <inheritdoc />
    public override Task<RegisteredModel?> GetModelAsync(string name, CancellationToken cancellationToken = default)
    {
        lock (log.Sync)
        {
            return Task.FromResult(_models.TryGetValue(name, out var m) ? Snapshot(name, m) : null);
        }
    }

    /// <inheritdoc />
    public override Task<IReadOnlyList<RegisteredModel>> ListModelsAsync(CancellationToken cancellationToken = default)
    {
        lock (log.Sync)
        {
            IReadOnlyList<RegisteredModel> list = _models.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => Snapshot(m.Key, m.Value)).ToList();
            return Task.FromResult(list);
        }
    }

    /// <inheritdoc />
    public override Task RenameModelAsync(string name, string newName, AuditDraft audit, CancellationToken cancellationToken = default)
    {
        lock (log.Sync)
        {
            var model = Require(name);
            if (_models.ContainsKey(newName))
            {
                throw new MlOpsConflictException($"A model named '{newName}' already exists.");
            }

            _models.Remove(name);
            _models[newName] = model;
            for (var i = 0; i < _requests.Count; i++)
            {
                if (_requests[i].ModelName == name)
                {
                    _requests[i] = _requests[i] with { ModelName = newName };
                }
            }

            log.Append(audit);
            return Task.CompletedTask;
        }
    }

    /// <inheritdoc />
    public override Task UpdateModelAsync(string name, string? description, IReadOnlyDictionary<string, string?> tags, AuditDraft audit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tags);
        lock (log.Sync)
        {
            var model = Require(name);
            model.Description = description ?? model.Description;
            foreach (var (key, value) in tags)
            {
                if (value is null)
                {
                    model.Tags.Remove(key);
                }
                else
                {
                    model.Tags[key] = value;
                }
            }

            log.Append(audit);
            return Task.CompletedTask;
        }
    }

    /// <inheritdoc />
    public override Task<ModelVersion> ReserveVersionAsync(string modelName, string? sourceRunId, AuditDraft audit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(audit);
        lock (log.Sync)
        {
            if (!_models.TryGetValue(modelName, out var model))
            {
                _models[modelName] = model = new ModelState(string.Empty, Ms(audit.Time));
            }

            var version = new ModelVersion(modelName, model.Versions.Count + 1, ModelVersionStatus.Pending, null, 0, sourceRunId, null, audit.Actor, Ms(audit.Time), null, []);
            model.Versions.Add(version);
            log.Append(audit with { Subject = version.Reference });
            return Task.FromResult(version);
        }
    }

    /// <inheritdoc />
    public override Task<ModelVersion> CompleteVersionAsync(string modelName, int number, ContentDigest digest, long length, ModelSignature? signature, ContentDigest? inputExample, AuditDraft audit, CancellationToken cancellationToken = default)
    {
        lock (log.Sync)
        {
            var version = RequirePending(modelName, number) with { Status = ModelVersionStatus.Ready, Digest = digest, Length = length, Signature = signature, InputExample = inputExample };
            Require(modelName).Versions[number - 1] = version;
            log.Append(audit);
            return Task.FromResult(version);
        }
    }

    /// <inheritdoc />
    public override Task FailVersionAsync(string modelName, int number, string message, AuditDraft audit, CancellationToken cancellationToken = default)
    {
        lock (log.Sync)
        {
            if (_models.TryGetValue(modelName, out var model) && number <= model.Versions.Count && model.Versions[number - 1].Status == ModelVersionStatus.Pending)
            {
                model.Versions[number - 1] = model.Versions[number - 1] with { Status = ModelVersionStatus.Failed, StatusMessage = message };
                log.Append(audit);
            }

            return Task.CompletedTask;
        }
    }

    /// <inheritdoc />
    public override Task<ModelVersion?> GetVersionAsync(string modelName, int number, CancellationToken cancellationToken = default)
    {
        lock (log.Sync)
        {
            return Task.FromResult(_models.TryGetValue(modelName, out var m) && number >= 1 && number <= m.Versions.Count ? m.Versions[number - 1] : null);
        }
    }

    /// <inheritdoc />
    public override Task<ModelVersion?> ResolveAliasAsync(string modelName, string alias, CancellationToken cancellationToken = default)
    {
        lock (log.Sync)
        {
            return Task.FromResult(_models.TryGetValue(modelName, out var m) && m.Aliases.TryGetValue(alias, out var n) ? m.Versions[n - 1] : null);
        }
    }

    /// <inheritdoc />
    public override Task<IReadOnlyList<ModelVersion>> ListVersionsAsync(string modelName, int afterNumber, int limit, CancellationToken cancellationToken = default)
    {
        lock (log.Sync)
        {
            IReadOnlyList<ModelVersion> list = _models.TryGetValue(modelName, out var m) ? m.Versions.Where(v => v.Number > afterNumber).Take(limit).ToList() : [];
            return Task.FromResult(list);
        }
    }

    /// <inheritdoc />
    public override Task<IReadOnlyList<ModelVersion>> FindVersionsFromRunsAsync(IReadOnlyCollection<string> runIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runIds);
        lock (log.Sync)
        {
            IReadOnlyList<ModelVersion> list = _models.OrderBy(m => m.Key, StringComparer.Ordinal)
                .SelectMany(m => m.Value.Versions).Where(v => v.SourceRunId is not null && runIds.Contains(v.SourceRunId)).ToList();
            return Task.FromResult(list);
        }
    }

    /// <inheritdoc />
    public override Task<AliasMove> MoveAliasAsync(string modelName, string alias, int? version, ContentDigest? expectedDigest, AuditDraft audit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(audit);
        lock (log.Sync)
        {
            var model = Require(modelName);
            if (version is { } number)
            {
                if (number < 1 || number > model.Versions.Count)
                {
                    throw new MlOpsNotFoundException($"Model '{modelName}' has no version {number}.");
                }

                var target = model.Versions[number - 1];
                if (target.Status != ModelVersionStatus.Ready || (expectedDigest is { } expected && target.Digest != expected))
                {
                    throw new MlOpsConflictException($"Version {modelName}/{number} is not ready with digest {expectedDigest}; its content changed since it was checked. The alias was not moved.");
                }
            }

            int? from = model.Aliases.TryGetValue(alias, out var current) ? current : null;
            if (version is null)
            {
                model.Aliases.Remove(alias);
            }
            else
            {
                model.Aliases[alias] = version.Value;
            }

            var move = new AliasMove(modelName, alias, from, version, Ms(audit.Time), audit.Actor);
            model.Moves.Add(move);
            log.Append(audit with { Before = from?.ToString(System.Globalization.CultureInfo.InvariantCulture) });
            return Task.FromResult(move);
        }
    }

    /// <inheritdoc />
    public override Task RecordDeploymentAsync(ModelDeployment deployment, CancellationToken cancellationToken = default)
    {
        lock (log.Sync)
        {
            _deployments.Add(deployment);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override Task<IReadOnlyList<ModelDeployment>> ListDeploymentsAsync(string modelName, int version, CancellationToken cancellationToken = default)
    {
        lock (log.Sync)
        {
            IReadOnlyList<ModelDeployment> list = _deployments.Where(d => d.ModelName == modelName && d.Version == version).ToList();
            return Task.FromResult(list);
        }
    }

    /// <inheritdoc />
    public override Task<IReadOnlyList<AliasMove>> GetAliasHistoryAsync(string modelName, string? alias, CancellationToken cancellationToken = default)
    {
        lock (log.Sync)
        {
            IReadOnlyList<AliasMove> list = _models.TryGetValue(modelName, out var m) ? m.Moves.Where(x => alias is null || x.Alias == alias).Select(x => x with { ModelName = modelName }).ToList() : [];
            return Task.FromResult(list);
        }
    }

    /// <inheritdoc />
    public override Task<ApprovalRequest> CreateApprovalRequestAsync(ApprovalRequest request, AuditDraft audit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(audit);
        lock (log.Sync)
        {
            Require(request.ModelName);
            var stored = request with { Id = _requests.Count + 1, State = ApprovalState.Pending, Decisions = [], RequestedAt = Ms(request.RequestedAt) };
            _requests.Add(stored);
            log.Append(audit with { After = $"request {stored.Id}: {audit.After}" });
            return Task.FromResult(stored);
        }
    }

    /// <inheritdoc />
    public override Task<ApprovalRequest?> GetApprovalRequestAsync(long id, CancellationToken cancellationToken = default)
    {
        lock (log.Sync)
        {
            return Task.FromResult(id >= 1 && id <= _requests.Count ? _requests[(int)id - 1] : null);
        }
    }

    /// <inheritdoc />
    public override Task<IReadOnlyList<ApprovalRequest>> ListApprovalRequestsAsync(string modelName, string alias, CancellationToken cancellationToken = default)
    {
        lock (log.Sync)
        {
            IReadOnlyList<ApprovalRequest> list = _requests.Where(r => r.ModelName == modelName && r.Alias == alias).OrderByDescending(r => r.Id).ToList();
            return Task.FromResult(list);
        }
    }

    /// <inheritdoc />
    public override Task<ApprovalRequest> AddDecisionAsync(long id, ApprovalDecision decision, ApprovalState newState, AuditDraft audit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(decision);
        lock (log.Sync)
        {
            var request = id >= 1 && id <= _requests.Count ? _requests[(int)id - 1] : throw new MlOpsNotFoundException($"No approval request has id {id}.");
            if (request.State != ApprovalState.Pending)
            {
                throw new MlOpsConflictException($"Approval request {id} is already {request.State.ToString().ToLowerInvariant()}.");
            }

            if (request.Decisions.Any(d => d.Approver == decision.Approver))
            {
                throw new MlOpsConflictException($"'{decision.Approver}' has already decided on approval request {id}.");
            }

            var updated = request with { State = newState, Decisions = request.Decisions.Append(decision with { At = Ms(decision.At) }).ToList() };
            _requests[(int)id - 1] = updated;
            log.Append(audit);
            return Task.FromResult(updated);
        }
    }

    /// <inheritdoc />
    public override Task AddSignatureAsync(string modelName, int number, VersionSignature signature, AuditDraft audit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(signature);
        lock (log.Sync)
        {
            var model = Require(modelName);
            if (number < 1 || number > model.Versions.Count || model.Versions[number - 1].Status != ModelVersionStatus.Ready)
            {
                throw new MlOpsNotFoundException($"Model '{modelName}' has no ready version {number}.");
            }

            var version = model.Versions[number - 1];
            model.Versions[number - 1] = version with { Signatures = version.Signatures.Append(signature with { SignedAt = Ms(signature.SignedAt) }).ToList() };
            log.Append(audit);
            return Task.CompletedTask;
        }
    }

    /// <inheritdoc />
    public override Task AppendAuditAsync(AuditDraft audit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(audit);
        lock (log.Sync)
        {
            log.Append(audit);
            return Task.CompletedTask;
        }
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ContentDigest> ListReferencedArtifactsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        List<ContentDigest> digests;
        lock (log.Sync)
        {
            digests = [.. _models.Values.SelectMany(m => m.Versions).SelectMany(v => new[] { v.Digest, v.InputExample }).OfType<ContentDigest>()];
        }

        foreach (var digest in digests)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return digest;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<AuditEntry> ReadAuditLogAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var entry in log.Snapshot())
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return entry;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <summary>Replaces a version's digest behind the registry's back, as tampering with the database would.</summary>
    public void TamperDigest(string modelName, int number, ContentDigest digest)
    {
        lock (log.Sync)
        {
            var model = Require(modelName);
            model.Versions[number - 1] = model.Versions[number - 1] with { Digest = digest };
        }
    }

    private ModelState Require(string name) =>
        _models.TryGetValue(name, out var model) ? model : throw new MlOpsNotFoundException($"No model is named '{name}'.");

    private ModelVersion RequirePending(string name, int number)
    {
        var model = Require(name);
        return number >= 1 && number <= model.Versions.Count && model.Versions[number - 1].Status == ModelVersionStatus.Pending
            ? model.Versions[number - 1]
            : throw new MlOpsConflictException($"Version {name}/{number} is not pending.");
    }

    private static RegisteredModel Snapshot(string name, ModelState m) =>
        new(name, m.Description, new Dictionary<string, string>(m.Tags, StringComparer.Ordinal), new Dictionary<string, int>(m.Aliases, StringComparer.Ordinal), m.CreatedAt);

    private static DateTimeOffset Ms(DateTimeOffset t) => DateTimeOffset.FromUnixTimeMilliseconds(t.ToUnixTimeMilliseconds());

    private sealed class ModelState(string description, DateTimeOffset createdAt)
    {
        public string Description { get; set; } = description;

        public DateTimeOffset CreatedAt { get; } = createdAt;

        public Dictionary<string, string> Tags { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, int> Aliases { get; } = new(StringComparer.Ordinal);

        public List<ModelVersion> Versions { get; } = [];

        public List<AliasMove> Moves { get; } = [];
    }
}
