namespace MlOps.Sdk.Monitoring.Quality;

/// <summary>The quality of one window of predictions whose labels arrived.</summary>
/// <param name="Rows">Labelled predictions in the window.</param>
/// <param name="Metrics">The window's metrics by name (<c>accuracy</c>, <c>precision</c>, <c>recall</c>, <c>f1</c>, <c>roc_auc</c>, <c>log_loss</c>; or <c>mae</c>, <c>rmse</c>, <c>r2</c>). A metric the window cannot define (ROC AUC with one class) is absent.</param>
/// <param name="DetectorAlarms">How many times the concept-drift detector on the error stream fired during the window.</param>
public sealed record QualityReport(int Rows, IReadOnlyDictionary<string, double> Metrics, int DetectorAlarms);
