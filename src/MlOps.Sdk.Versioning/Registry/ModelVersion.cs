using MlOps.Sdk.Versioning.Onnx;

namespace MlOps.Sdk.Versioning;

/// <summary>The state of a model version.</summary>
public enum ModelVersionStatus
{
    /// <summary>The number is taken; the content is being stored.</summary>
    Pending,

    /// <summary>The content is stored and verified; the version can be used.</summary>
    Ready,

    /// <summary>Storing or reading the content failed; see <see cref="ModelVersion.StatusMessage"/>.</summary>
    Failed,
}

/// <summary>A numbered, immutable version of a registered model.</summary>
/// <param name="ModelName">The model.</param>
/// <param name="Number">The version number: 1, 2, … without gaps per model.</param>
/// <param name="Status">Pending, ready or failed.</param>
/// <param name="Digest">The content digest, once ready.</param>
/// <param name="Length">The content length in bytes, once ready.</param>
/// <param name="SourceRunId">The run the model came from, if any.</param>
/// <param name="Signature">The ONNX inputs and outputs, when the content is an ONNX model.</param>
/// <param name="CreatedBy">Who registered it.</param>
/// <param name="CreatedAt">When.</param>
/// <param name="StatusMessage">Why it failed, or null.</param>
/// <param name="Signatures">ECDSA signatures of its digest.</param>
public sealed record ModelVersion(
    string ModelName,
    int Number,
    ModelVersionStatus Status,
    ContentDigest? Digest,
    long Length,
    string? SourceRunId,
    ModelSignature? Signature,
    string CreatedBy,
    DateTimeOffset CreatedAt,
    string? StatusMessage,
    IReadOnlyList<VersionSignature> Signatures)
{
    /// <summary>
    /// The digest of the input example registered with the version (an artifact, as MLflow's <c>input_example</c>):
    /// model hosts warm up on it, and a version that fails on its own example does not serve. Null when none was given.
    /// </summary>
    public ContentDigest? InputExample { get; init; }

    /// <summary>The version as a reference: <c>fraud/3</c>.</summary>
    public string Reference => $"{ModelName}/{Number}";
}

/// <summary>An ECDSA P-256 signature over a version's digest.</summary>
/// <param name="KeyId">The SHA-256 of the signing key's SubjectPublicKeyInfo, as <c>sha256:…</c>.</param>
/// <param name="Signature">The signature (IEEE P1363 format) in base64.</param>
/// <param name="SignedBy">Who added it.</param>
/// <param name="SignedAt">When.</param>
public sealed record VersionSignature(string KeyId, string Signature, string SignedBy, DateTimeOffset SignedAt);
