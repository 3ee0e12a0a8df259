using Microsoft.Extensions.DependencyInjection;
using MlOps.Sdk.Serving;
using MlOps.Sdk.Versioning;

namespace MlOps.Sdk.Testing.Quality;

/// <summary>
/// A model loaded for a test, outside the application's container: from an <c>.onnx</c> file or a registry reference
/// (<c>fraud@production</c>, <c>fraud/7</c>), served by a typed host of its own on in-memory stores. Dispose it to free
/// the session.
/// </summary>
public sealed class ModelUnderTest<TIn, TOut> : IAsyncDisposable
    where TOut : new()
{
    private readonly ServiceProvider _services;

    private ModelUnderTest(ServiceProvider services, ModelHost<TIn, TOut> host, string source)
    {
        _services = services;
        Host = host;
        Source = source;
    }

    /// <summary>The host serving the model.</summary>
    public ModelHost<TIn, TOut> Host { get; }

    /// <summary>Where the model came from: a file path or a registry reference with its version.</summary>
    public string Source { get; }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _services.DisposeAsync();

    internal static async Task<ModelUnderTest<TIn, TOut>> LoadAsync(Stream content, string source, CancellationToken cancellationToken)
    {
        var services = new ServiceCollection();
        services.AddMlOps().AddModelRegistry().UseInMemoryStores().AddModelHost<TIn, TOut>("model-under-test", h => h.PinVersion(1));
        var provider = services.BuildServiceProvider();
        try
        {
            await provider.GetRequiredService<ModelRegistry>().RegisterModelAsync("model-under-test", content, cancellationToken: cancellationToken).ConfigureAwait(false);
            var host = provider.GetRequiredService<ModelHost<TIn, TOut>>();
            ModelLoadFailure? failure = null;
            host.LoadFailed += (_, f) => failure = f;
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
            return host.CurrentVersion is null
                ? throw new ModelNotLoadedException(source, $"it failed at {failure?.Stage ?? "load"}: {failure?.Error.Message}", failure?.Error)
                : new ModelUnderTest<TIn, TOut>(provider, host, source);
        }
        catch
        {
            await provider.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}

/// <summary>Loads models for tests: <c>await using var model = await ModelUnderTest.FromFileAsync&lt;Row, Score&gt;("fraud.onnx");</c></summary>
public static class ModelUnderTest
{
    /// <summary>Serves the ONNX model in <paramref name="path"/> through a typed host.</summary>
    /// <exception cref="ModelNotLoadedException">The model cannot be served with these types; the message says why.</exception>
    public static async Task<ModelUnderTest<TIn, TOut>> FromFileAsync<TIn, TOut>(string path, CancellationToken cancellationToken = default)
        where TOut : new()
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var file = File.OpenRead(path);
        await using (file.ConfigureAwait(false))
        {
            return await ModelUnderTest<TIn, TOut>.LoadAsync(file, path, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Serves the version <paramref name="reference"/> names in <paramref name="registry"/> (<c>fraud@production</c>, <c>fraud/7</c>), its digest verified.</summary>
    /// <exception cref="MlOpsNotFoundException">Nothing answers to the reference.</exception>
    public static async Task<ModelUnderTest<TIn, TOut>> FromRegistryAsync<TIn, TOut>(ModelRegistry registry, string reference, CancellationToken cancellationToken = default)
        where TOut : new()
    {
        ArgumentNullException.ThrowIfNull(registry);
        var version = await registry.ResolveAsync(reference, cancellationToken).ConfigureAwait(false);
        var content = await registry.OpenContentAsync(version, cancellationToken).ConfigureAwait(false);
        await using (content.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            await content.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            buffer.Position = 0;
            return await ModelUnderTest<TIn, TOut>.LoadAsync(buffer, $"{reference} ({version.Reference})", cancellationToken).ConfigureAwait(false);
        }
    }
}
