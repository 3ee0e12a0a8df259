using System.Security.Cryptography;

namespace MlOps.Sdk.Versioning;

/// <summary>Policies of the model registry.</summary>
public sealed class ModelRegistryOptions
{
    internal Dictionary<string, int> ApprovalPolicies { get; } = new(StringComparer.Ordinal);

    internal HashSet<string> SignaturePolicies { get; } = new(StringComparer.Ordinal);

    internal Dictionary<string, byte[]> TrustedKeys { get; } = new(StringComparer.Ordinal);

    /// <summary>Whether content that is not an ONNX model may be registered (without a signature of inputs and outputs).</summary>
    /// <value>The default is false: such content leaves a failed version and an <see cref="Onnx.OnnxFormatException"/>.</value>
    public bool AllowNonOnnxModels { get; set; }

    /// <summary>
    /// Whether <see cref="ModelRegistry.OpenContentAsync"/> refuses versions without a valid signature by a trusted key.
    /// Model hosts load content through it, so this keeps unsigned models from being loaded at all.
    /// </summary>
    /// <value>The default is false.</value>
    public bool RequireSignatureToOpen { get; set; }

    /// <summary>
    /// How long an alias move waits for its <see cref="ModelRegistry.AliasMoved"/> subscribers, each called on its own. A
    /// subscriber still running then is logged and counted (<c>mlops.versioning.callback_errors</c>) and the move returns.
    /// </summary>
    /// <value>The default is 10 seconds.</value>
    public TimeSpan CallbackTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Moving <paramref name="alias"/> needs an approved request from <paramref name="approvers"/> people other than the requester.</summary>
    public ModelRegistryOptions RequireApprovalFor(string alias, int approvers = 1)
    {
        ModelReference.ValidateAlias(alias);
        ArgumentOutOfRangeException.ThrowIfLessThan(approvers, 1);
        ApprovalPolicies[alias] = approvers;
        return this;
    }

    /// <summary>Moving <paramref name="alias"/> needs a valid signature of the version's digest by a trusted key.</summary>
    public ModelRegistryOptions RequireSignatureFor(string alias)
    {
        ModelReference.ValidateAlias(alias);
        SignaturePolicies.Add(alias);
        return this;
    }

    /// <summary>Trusts signatures made with the private half of <paramref name="publicKey"/> (ECDSA P-256).</summary>
    public ModelRegistryOptions TrustSigningKey(ECDsa publicKey)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        var spki = publicKey.ExportSubjectPublicKeyInfo();
        TrustedKeys[KeyId(spki)] = spki;
        return this;
    }

    /// <summary>Trusts a public key given in PEM (<c>-----BEGIN PUBLIC KEY-----</c>).</summary>
    public ModelRegistryOptions TrustSigningKeyPem(string pem)
    {
        using var key = ECDsa.Create();
        key.ImportFromPem(pem);
        return TrustSigningKey(key);
    }

    internal static string KeyId(byte[] subjectPublicKeyInfo) => ContentDigest.Compute(subjectPublicKeyInfo).ToString();
}
