namespace MlOps.Sdk.Monitoring;

/// <summary>A concept-drift detector on a stream of numbers (errors, losses), updated one value at a time.</summary>
public interface IDriftDetector
{
    /// <summary>Whether the last update detected a change. The next update starts afresh after one.</summary>
    bool DriftDetected { get; }

    /// <summary>Adds one value.</summary>
    void Update(double value);
}
