using MlOps.Sdk.Serving.Mapping;
using MlOps.Sdk.Versioning;

namespace MlOps.Sdk.Serving;

/// <summary>Input examples as named tensors: registered with a version, read back, warmed up on by model hosts.</summary>
public static class ModelRegistryServingExtensions
{
    /// <summary>
    /// Registers a new version with an input example it must serve (MLflow's <c>input_example</c>): stored with the
    /// version, run by every model host that loads it before it takes traffic; a version that fails on its own example
    /// does not serve.
    /// </summary>
    /// <exception cref="ArgumentException">The example holds a sequence of maps, which is not an input.</exception>
    public static Task<ModelVersion> RegisterModelAsync(this ModelRegistry registry, string name, Stream content, NamedTensors inputExample, string? fromRun = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(inputExample);
        return registry.RegisterVersionAsync(name, content, new ModelVersionOptions { FromRun = fromRun, InputExample = TensorProtos.Write(inputExample) }, cancellationToken);
    }

    /// <summary>The input example registered with <paramref name="version"/>, or null when it has none.</summary>
    /// <exception cref="ArtifactIntegrityException">The stored example no longer matches its digest.</exception>
    public static async Task<NamedTensors?> GetInputExampleAsync(this ModelRegistry registry, ModelVersion version, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var stream = await registry.OpenInputExampleAsync(version, cancellationToken).ConfigureAwait(false);
        if (stream is null)
        {
            return null;
        }

        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            return TensorProtos.Read(buffer.ToArray());
        }
    }
}
