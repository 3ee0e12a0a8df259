namespace MlOps.Sdk.AspNetCore;

/// <summary>
/// The authorization policies of the HTTP endpoints, one per capability. <c>AddMlOpsHttp</c> defines each as "an
/// authenticated caller in the role of the same name" unless the application defines a policy of that name itself
/// (before or after), which then wins.
/// </summary>
public static class MlOpsPolicies
{
    /// <summary>Calls a model: <c>MapModel</c> and the Open Inference Protocol's metadata and inference endpoints.</summary>
    public const string Predict = "mlops.predict";

    /// <summary>Reads runs, models, versions, aliases, approval requests, datasets, lineage and drift reports.</summary>
    public const string Read = "mlops.read";

    /// <summary>Moves and deletes aliases, asks for approvals, pins, unpins and rolls back model hosts.</summary>
    public const string Promote = "mlops.promote";

    /// <summary>Approves or rejects approval requests (never one's own).</summary>
    public const string Approve = "mlops.approve";

    internal static readonly string[] All = [Predict, Read, Promote, Approve];
}
