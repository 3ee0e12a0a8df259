using MlOps.Sdk.Testing.Quality;
using Xunit;

namespace MlOps.Sdk.Testing.Tests.Quality;

/// <summary>An evaluation's segmented columns read back what was written, across segment boundaries and as one span.</summary>
public sealed class ColumnTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(8_191)]
    [InlineData(8_192)]
    [InlineData(8_193)]
    [InlineData(20_000)]
    public void Values_ReadBack_ByIndex_Enumeration_AndRentedSpan(int count)
    {
        var expected = Enumerable.Range(0, count).Select(i => (i * 0.37) - 11).ToArray();
        var column = new Column<double>(count);
        for (var i = count - 1; i >= 0; i--)
        {
            column[i] = expected[i];
        }

        Assert.Equal(count, column.Count);
        Assert.Equal(expected, column);
        Assert.Equal(expected, new Column<double>(expected.Select(v => v)));
        Assert.Equal(count, column.Segments.Sum(s => s.Length));
        Assert.All(column.Segments, s => Assert.True(s.Length * sizeof(double) < 85_000, "every segment stays off the large-object heap"));
        using var rented = column.Rent();
        Assert.Equal(expected, rented.Span.ToArray());
    }

    [Fact]
    public void Evaluation_OfManySegments_HasTheArrayMetrics()
    {
        var random = new Random(3);
        var labels = Enumerable.Range(0, 30_000).Select(_ => random.NextDouble() < 0.3).ToArray();
        var scores = labels.Select(l => (l ? 0.2 : 0) + (random.NextDouble() * 0.8)).ToArray();
        var evaluation = new BinaryEvaluation<int>([.. Enumerable.Range(0, labels.Length)], new Column<bool>(labels), new Column<double>(scores), 0.6);

        Assert.Equal(Monitoring.Quality.QualityMetrics.RocAuc(labels, scores), evaluation.RocAuc);
        Assert.Equal(Monitoring.Quality.QualityMetrics.LogLoss(labels, scores), evaluation.LogLoss);
        Assert.Equal(Monitoring.Statistics.DeLong.AucInterval(labels, scores), evaluation.Interval(Metric.RocAuc));
        Assert.Equal(labels.Zip(scores).Count(p => p.First && p.Second >= 0.6), evaluation.TruePositives);
        Assert.Equal(labels.Zip(scores).Count(p => !p.First && p.Second >= 0.6), evaluation.FalsePositives);
        Assert.Equal(labels.Zip(scores).Count(p => p.First && p.Second < 0.6), evaluation.FalseNegatives);
        Assert.Equal(labels.Zip(scores).Count(p => !p.First && p.Second < 0.6), evaluation.TrueNegatives);
    }
}
