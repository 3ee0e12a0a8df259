using MlOps.Sdk.Tracking.Writing;
using Xunit;

namespace MlOps.Sdk.Tracking.Tests.Writing;

public sealed class BoundedRingTests
{
    [Fact]
    public void TryEnqueue_UpToTheCapacity_ThenRefuses_AndRoomComesBackAsTheWriterTakes()
    {
        var queue = new BoundedRing<MetricRecord>(3);
        for (var i = 0; i < 3; i++)
        {
            Assert.True(queue.TryEnqueue(Point("a", i)));
        }

        Assert.False(queue.TryEnqueue(Point("a", 3)));
        Assert.True(queue.TryDequeue(out var first));
        Assert.Equal(0, first.Step);
        Assert.True(queue.TryEnqueue(Point("a", 3)));
        Assert.Equal(3, queue.Count);
    }

    [Fact]
    public void Close_RefusesLaterPoints_ButKeepsThoseClaimedBefore()
    {
        var queue = new BoundedRing<MetricRecord>(8);
        Assert.True(queue.TryEnqueue(Point("a", 0)));

        queue.Close();

        Assert.True(queue.IsClosed);
        Assert.False(queue.TryEnqueue(Point("a", 1)));
        Assert.Equal(1, queue.Claimed);
        Assert.True(queue.TryDequeue(out var kept));
        Assert.Equal(0, kept.Step);
        Assert.False(queue.TryDequeue(out _));
    }

    [Fact]
    public async Task FourProducersAndOneReader_OverManyLaps_LoseNothing_AndKeepEachProducersOrder()
    {
        const int PerProducer = 250_000;
        var queue = new BoundedRing<MetricRecord>(1_000);
        var producers = Enumerable.Range(0, 4).Select(p => Task.Factory.StartNew(
            () =>
            {
                var key = "p" + p;
                for (var step = 0; step < PerProducer; step++)
                {
                    var spinner = default(SpinWait);
                    while (!queue.TryEnqueue(Point(key, step)))
                    {
                        spinner.SpinOnce();
                    }
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default)).ToArray();

        var next = new long[4];
        var taken = 0L;
        var reader = Task.Factory.StartNew(
            () =>
            {
                var spinner = default(SpinWait);
                while (taken < 4L * PerProducer)
                {
                    if (!queue.TryDequeue(out var point))
                    {
                        spinner.SpinOnce();
                        continue;
                    }

                    var producer = point.Key[1] - '0';
                    Assert.Equal(next[producer], point.Step);
                    next[producer]++;
                    taken++;
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);

        await Task.WhenAll(producers.Append(reader)).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.All(next, n => Assert.Equal(PerProducer, n));
        Assert.Equal(0, queue.Count);
    }

    private static MetricRecord Point(string key, long step) => new("run", key, step * 0.5, step, 1_767_225_600_000);
}
