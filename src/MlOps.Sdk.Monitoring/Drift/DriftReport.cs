namespace MlOps.Sdk.Monitoring;

/// <summary>A window's verdicts: per feature, and for the dataset.</summary>
/// <param name="Features">The per-feature verdicts.</param>
/// <param name="Rows">The rows in the window.</param>
/// <param name="DatasetDriftShare">The share of drifted features that makes the dataset drift.</param>
public sealed record DriftReport(IReadOnlyList<FeatureDrift> Features, int Rows, double DatasetDriftShare)
{
    /// <summary>The number of drifted features.</summary>
    public int DriftedFeatures => Features.Count(f => f.Drifted);

    /// <summary>The share of features that drifted.</summary>
    public double DriftedShare => Features.Count == 0 ? 0 : (double)DriftedFeatures / Features.Count;

    /// <summary>Whether the dataset drifted: at least <see cref="DatasetDriftShare"/> of its features did.</summary>
    public bool DatasetDrifted => Features.Count > 0 && DriftedShare >= DatasetDriftShare;

    /// <summary>
    /// Writes the report as one self-contained HTML page (a verdict table and each feature's reference and window
    /// distributions as inline SVG; no scripts, nothing fetched).
    /// </summary>
    public async Task SaveHtmlAsync(string path, string title = "Drift report", CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        await File.WriteAllTextAsync(path, HtmlDriftReport.Render(this, title), System.Text.Encoding.UTF8, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes the report as JSON (NaN scores as <c>"NaN"</c>).</summary>
    public async Task SaveJsonAsync(Stream stream, CancellationToken cancellationToken = default) =>
        await System.Text.Json.JsonSerializer.SerializeAsync(stream, this, ReportJson.Default.DriftReport, cancellationToken).ConfigureAwait(false);
}
