namespace MlOps.Sdk.Serving;

/// <summary>A challenger that sees a share of the traffic in the background; its results are compared, never returned.</summary>
public sealed class ShadowOptions
{
    internal ShadowOptions(string alias, double percent)
    {
        Alias = alias;
        Percent = percent;
    }

    /// <summary>The alias the challenger follows.</summary>
    public string Alias { get; }

    /// <summary>The share of calls mirrored, 0 to 100; sticky per routing key.</summary>
    public double Percent { get; }

    /// <summary>Calls waiting for the challenger; a call that finds the queue full is dropped and counted.</summary>
    /// <value>The default is 1,024.</value>
    public int QueueCapacity { get; set; } = 1024;

    /// <summary>
    /// The largest difference between floating-point outputs that still counts as agreement, for results that are all
    /// floating-point. When the result also has labels, integers or strings, agreement is their equality, and the
    /// scores' differences are reported (<c>mlops.serving.shadow.difference</c>) but do not decide it.
    /// </summary>
    /// <value>The default is 1e-6.</value>
    public double Tolerance { get; set; } = 1e-6;
}
