using System.ComponentModel.DataAnnotations;

namespace MlOps.Sdk.Serving;

/// <summary>What a model host serves: the version an alias points to, or a pinned version.</summary>
public sealed class ModelHostOptions : IValidatableObject
{
    internal string? Alias { get; private set; }

    internal int? PinnedVersion { get; private set; }

    internal MicroBatchingOptions? Batching { get; private set; }

    internal List<ModelVariant> Variants { get; } = [];

    internal ShadowOptions? Shadow { get; private set; }

    /// <summary>The name of the variant served by <see cref="FollowAlias"/> or <see cref="PinVersion"/>: <c>primary</c>.</summary>
    public const string PrimaryVariant = "primary";

    /// <summary>How often the host asks the registry where its alias points, to see moves made by other processes.</summary>
    /// <value>The default is 5 seconds. Moves made in this process are seen at once.</value>
    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Whether <see cref="ModelHost{TIn, TOut}.StartAsync"/> throws <see cref="ModelNotLoadedException"/>, naming the
    /// cause, when no version could be loaded; a host that starts without one keeps following its alias either way.
    /// </summary>
    /// <value>The default is false: the application starts, the host serves once the alias points to a loadable version.</value>
    public bool RequireVersionAtStart { get; set; }

    /// <summary>
    /// Whether a version is run once before it takes traffic, so that the first call does not pay for ONNX Runtime's
    /// first run. With <see cref="WarmUpWith{TIn}"/> the sample is run, else the input example registered with the version
    /// (<c>ModelRegistryServingExtensions.RegisterModelAsync</c>), and a version that fails on it is refused; without
    /// either the inputs are synthetic (zeros and empty strings; a free dimension is 1, a zero-size one stays 0),
    /// and a failure is logged and counted (<c>mlops.serving.warmup_failures</c>) but never refuses the version: zeros are
    /// not valid for every model (Resize scales, Expand shapes, TopK's k, a divisor).
    /// </summary>
    /// <value>The default is true.</value>
    public bool WarmUpOnLoad { get; set; } = true;

    /// <summary>The input <see cref="WarmUpWith{TIn}"/> gave, if any.</summary>
    internal object? WarmUpSample { get; set; }

    /// <summary>
    /// Warms each version up on <paramref name="sample"/>, a real input of the host's type: a version that cannot serve
    /// it is refused, and the version before keeps serving.
    /// </summary>
    /// <typeparam name="TIn">The host's input type.</typeparam>
    /// <param name="sample">An input the model must be able to serve.</param>
    public ModelHostOptions WarmUpWith<TIn>(TIn sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        WarmUpSample = sample;
        WarmUpOnLoad = true;
        return this;
    }

    /// <summary>Serves whatever version <paramref name="alias"/> points to, and follows it when it moves.</summary>
    public ModelHostOptions FollowAlias(string alias)
    {
        Versioning.ModelReference.ValidateAlias(alias);
        Alias = alias;
        PinnedVersion = null;
        return this;
    }

    /// <summary>Serves one version and ignores aliases.</summary>
    public ModelHostOptions PinVersion(int version)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(version, 1);
        PinnedVersion = version;
        Alias = null;
        return this;
    }

    /// <summary>
    /// Coalesces concurrent <see cref="ModelHost{TIn, TOut}.PredictAsync"/> calls into one run along the model's
    /// batch dimension. <see cref="ModelHost{TIn, TOut}.Predict(TIn)"/> still runs at once: it blocks its thread anyway.
    /// </summary>
    public ModelHostOptions MicroBatching(Action<MicroBatchingOptions>? configure = null)
    {
        var batching = new MicroBatchingOptions();
        configure?.Invoke(batching);
        batching.Validate();
        Batching = batching;
        return this;
    }

    /// <summary>
    /// Sends <paramref name="percent"/> of the routing keys to the version <paramref name="alias"/> points to, as
    /// variant <c>canary</c>; the rest stays on the primary. A key always lands on the same side. Until the alias
    /// points to a version that loads, the primary serves everything.
    /// </summary>
    public ModelHostOptions Canary(string alias, double percent) => Variant("canary", alias, percent);

    /// <summary>
    /// Adds an A/B variant: <paramref name="percent"/> of the routing keys go to the version <paramref name="alias"/>
    /// points to, reported as <paramref name="name"/>; what no variant takes stays on the primary.
    /// </summary>
    public ModelHostOptions Variant(string name, string alias, double percent)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Versioning.ModelReference.ValidateAlias(alias);
        ArgumentOutOfRangeException.ThrowIfNegative(percent);
        if (Variants.Any(v => v == new ModelVariant(name, alias, percent)))
        {
            return this;
        }

        if (name == PrimaryVariant || Variants.Any(v => v.Name == name))
        {
            throw new ArgumentException($"Variant '{name}' is already defined.", nameof(name));
        }

        if (Variants.Sum(v => v.Percent) + percent > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(percent), $"The variants would take more than 100% of the traffic.");
        }

        Variants.Add(new ModelVariant(name, alias, percent));
        return this;
    }

    /// <summary>
    /// Mirrors <paramref name="percent"/> of the calls to the version <paramref name="alias"/> points to, on a bounded
    /// queue in the background: callers never wait for it and always get the primary's result. Agreement and
    /// differences are reported on meter <c>MlOps.Sdk.Serving</c>.
    /// </summary>
    public ModelHostOptions ShadowTo(string alias, double percent = 100, Action<ShadowOptions>? configure = null)
    {
        Versioning.ModelReference.ValidateAlias(alias);
        ArgumentOutOfRangeException.ThrowIfNegative(percent);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percent, 100);
        var shadow = new ShadowOptions(alias, percent);
        configure?.Invoke(shadow);
        ArgumentOutOfRangeException.ThrowIfLessThan(shadow.QueueCapacity, 1, nameof(ShadowOptions.QueueCapacity));
        Shadow = shadow;
        return this;
    }

    /// <summary>A host serves what an alias points to or one pinned version: one of the two must be chosen.</summary>
    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext)
    {
        if (Alias is null && PinnedVersion is null)
        {
            yield return new ValidationResult(
                $"A model host must FollowAlias(...) or PinVersion(...){(validationContext?.DisplayName is { Length: > 0 } n ? $" ({n})" : string.Empty)}.",
                [nameof(FollowAlias)]);
        }
    }
}
