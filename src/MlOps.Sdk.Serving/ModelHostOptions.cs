namespace MlOps.Sdk.Serving;

/// <summary>What a model host serves: the version an alias points to, or a pinned version.</summary>
public sealed class ModelHostOptions
{
    internal string? Alias { get; private set; }

    internal int? PinnedVersion { get; private set; }

    internal MicroBatchingOptions? Batching { get; private set; }

    /// <summary>How often the host asks the registry where its alias points, to see moves made by other processes.</summary>
    /// <value>The default is 5 seconds. Moves made in this process are seen at once.</value>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

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
    /// Coalesces concurrent <see cref="IModelHost{TIn, TOut}.PredictAsync"/> calls into one run along the model's
    /// batch dimension. <see cref="IModelHost{TIn, TOut}.Predict(TIn)"/> still runs at once: it blocks its thread anyway.
    /// </summary>
    public ModelHostOptions MicroBatching(Action<MicroBatchingOptions>? configure = null)
    {
        var batching = new MicroBatchingOptions();
        configure?.Invoke(batching);
        batching.Validate();
        Batching = batching;
        return this;
    }
}
