using System.Text.Json;
using Xunit;

namespace MlOps.Sdk.Monitoring.Tests;

/// <summary>The concept-drift detectors on River's documented examples: the same streams, the same detections.</summary>
public sealed class DetectorTests
{
    private static JsonElement River => ReferenceVectors.Root.GetProperty("river");

    [Fact]
    public void PageHinkley_DetectsWhereRiverDocumentsIt()
    {
        Assert.Equal(Expected("page_hinkley_changes"), Changes(new PageHinkley(), Stream("two_laws")));
    }

    [Fact]
    public void Adwin_DetectsWhereRiverDocumentsIt()
    {
        Assert.Equal(Expected("adwin_changes"), Changes(new Adwin(), Stream("two_laws")));
    }

    [Fact]
    public void Ddm_WarnsAndDetectsWhereRiverDocumentsIt()
    {
        var ddm = new Ddm();
        var warnings = new List<int>();
        var changes = new List<int>();
        var printWarning = true;
        var stream = Stream("errors");
        for (var i = 0; i < stream.Length; i++)
        {
            ddm.Update(stream[i]);
            if (ddm.WarningDetected && printWarning)
            {
                warnings.Add(i);
                printWarning = false;
            }

            if (ddm.DriftDetected)
            {
                changes.Add(i);
                printWarning = true;
            }
        }

        Assert.Equal([River.GetProperty("ddm_first_warning").GetInt32(), River.GetProperty("ddm_warning_after_change").GetInt32()], warnings);
        Assert.Equal(Expected("ddm_changes"), changes);
    }

    [Fact]
    public void Detectors_StayQuietOnAStationaryStream()
    {
        var random = new Random(3);
        var stream = Enumerable.Range(0, 5000).Select(_ => random.NextDouble() < 0.2 ? 1.0 : 0.0).ToArray();

        Assert.Empty(Changes(new PageHinkley(), stream));
        Assert.Empty(Changes(new Ddm(), stream));
        Assert.Empty(Changes(new Adwin(), stream));
    }

    private static List<int> Changes(IDriftDetector detector, double[] stream)
    {
        var changes = new List<int>();
        for (var i = 0; i < stream.Length; i++)
        {
            detector.Update(stream[i]);
            if (detector.DriftDetected)
            {
                changes.Add(i);
            }
        }

        return changes;
    }

    private static double[] Stream(string name) => River.GetProperty(name).EnumerateArray().Select(v => v.GetDouble()).ToArray();

    private static List<int> Expected(string name) => River.GetProperty(name).EnumerateArray().Select(v => v.GetInt32()).ToList();
}
