namespace MlOps.Sdk.Tracking;

/// <summary>The state of a run. Searches use the upper-case names (<c>attributes.status = 'FINISHED'</c>).</summary>
public enum RunStatus
{
    /// <summary>The run is being written and its process holds a live lease.</summary>
    Running,

    /// <summary>The run ended normally.</summary>
    Finished,

    /// <summary>The run ended with a failure reported by its code.</summary>
    Failed,

    /// <summary>The run was ended from outside, or its process died and its lease expired.</summary>
    Killed,
}
