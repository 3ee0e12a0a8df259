namespace MlOps.Sdk.Serving;

/// <summary>
/// Serves one registered model over named tensors, for models whose signature is known only at run time (a generic
/// server, a model picked by configuration). It swaps, routes, batches, is observed and counted as the typed
/// <see cref="ModelHost{TIn, TOut}"/> is; <see cref="Versioning.ModelVersion.Signature"/> of
/// <see cref="ModelHost{TIn, TOut}.CurrentVersion"/> says what it takes and returns. Every call gets every output.
/// </summary>
public abstract class ModelHost : ModelHost<NamedTensors, NamedTensors>
{
}
