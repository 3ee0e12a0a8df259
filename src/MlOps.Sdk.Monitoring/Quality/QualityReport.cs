namespace MlOps.Sdk.Monitoring.Quality;

/// <summary>The quality of one window of predictions whose labels arrived.</summary>
/// <param name="Rows">Labelled predictions in the window.</param>
/// <param name="Metrics">The window's metrics by name (<c>accuracy</c>, <c>precision</c>, <c>recall</c>, <c>f1</c>, <c>roc_auc</c>, <c>log_loss</c>; for several classes their <c>_macro</c> and <c>_weighted</c> averages; or <c>mae</c>, <c>mse</c>, <c>rmse</c>, <c>r2</c>, <c>mape</c>). A metric the window cannot define (ROC AUC with one class) is absent.</param>
/// <param name="DetectorAlarms">How many times the concept-drift detector on the error stream fired during the window.</param>
public sealed record QualityReport(int Rows, IReadOnlyDictionary<string, double> Metrics, int DetectorAlarms)
{
    /// <summary>
    /// A classifier's confusion matrix over the window: row i the rows labelled class i, column j those predicted class j
    /// (for a binary classifier class 0 is false, 1 true); null for regression.
    /// </summary>
    public long[,]? ConfusionMatrix { get; init; }
}
