namespace MlOps.Sdk.Tracking.Search;

/// <summary>What a filter or ordering refers to.</summary>
public enum FilterEntity
{
    /// <summary>The latest value of a metric (<c>metrics.auc</c>).</summary>
    Metric,

    /// <summary>A param (<c>params.model</c>).</summary>
    Param,

    /// <summary>A tag (<c>tags.team</c>).</summary>
    Tag,

    /// <summary>A run attribute (<c>attributes.status</c>); keys are in <see cref="RunAttributes"/>.</summary>
    Attribute,

    /// <summary>A dataset input (<c>datasets.name</c>, <c>datasets.digest</c>, <c>datasets.context</c>).</summary>
    Dataset,
}

/// <summary>A field of a run: an entity and its key.</summary>
public readonly record struct FilterField(FilterEntity Entity, string Key);

/// <summary>The attribute keys a filter can name.</summary>
public static class RunAttributes
{
    /// <summary>The run id.</summary>
    public const string RunId = "run_id";

    /// <summary>The run name.</summary>
    public const string RunName = "run_name";

    /// <summary>The experiment id.</summary>
    public const string ExperimentId = "experiment_id";

    /// <summary>The status, upper case: RUNNING, FINISHED, FAILED, KILLED.</summary>
    public const string Status = "status";

    /// <summary>The start time, in milliseconds since the Unix epoch.</summary>
    public const string StartTime = "start_time";

    /// <summary>The end time, in milliseconds since the Unix epoch.</summary>
    public const string EndTime = "end_time";

    /// <summary>The user who started the run (the <see cref="IActorIdentity"/> of its process), kept as the tag <see cref="UserTag"/>.</summary>
    public const string UserId = "user_id";

    /// <summary>Where the run's artifacts are addressed: <c>runs:/RUN_ID</c>, as in MLflow's <c>runs:/</c> URIs.</summary>
    public const string ArtifactUri = "artifact_uri";

    /// <summary>The tag that holds a run's <see cref="UserId"/>.</summary>
    public const string UserTag = "mlops.user";

    /// <summary>The prefix of <see cref="ArtifactUri"/>, followed by the run id.</summary>
    public const string ArtifactUriPrefix = "runs:/";

    internal static bool IsTime(string key) => key is StartTime or EndTime;

    internal static bool IsKnown(string key) => key is RunId or RunName or ExperimentId or Status or StartTime or EndTime or UserId or ArtifactUri;
}
