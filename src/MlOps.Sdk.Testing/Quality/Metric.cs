namespace MlOps.Sdk.Testing.Quality;

/// <summary>A binary classifier's quality metric, as asserted on.</summary>
public enum Metric
{
    /// <summary>The share of rows predicted right; interval: Wilson.</summary>
    Accuracy,

    /// <summary>Precision of the positive class; interval: Wilson over the predicted positives.</summary>
    Precision,

    /// <summary>Recall of the positive class; interval: Wilson over the positives.</summary>
    Recall,

    /// <summary>F1 of the positive class; interval: seeded bootstrap.</summary>
    F1,

    /// <summary>Area under the ROC curve; interval: DeLong.</summary>
    RocAuc,

    /// <summary>Log loss, lower is better; interval: seeded bootstrap.</summary>
    LogLoss,
}
