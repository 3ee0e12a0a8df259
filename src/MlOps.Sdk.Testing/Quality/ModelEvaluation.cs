using System.Runtime.CompilerServices;
using MlOps.Sdk.Serving;

namespace MlOps.Sdk.Testing.Quality;

/// <summary>Evaluates a model host on labelled rows, predicting in batches through the host's batch path.</summary>
public static class ModelEvaluation
{
    /// <summary>The rows one batch prediction takes.</summary>
    public const int DefaultBatchSize = 1024;

    /// <summary>
    /// Predicts every row with <paramref name="host"/> (batches of <paramref name="batchSize"/> through
    /// <c>Predict(ReadOnlySpan)</c>, so no session work per row) and evaluates a binary classifier.
    /// </summary>
    /// <param name="host">The model: a host from the application's container, or <see cref="ModelUnderTest"/>.</param>
    /// <param name="rows">The labelled rows.</param>
    /// <param name="label">Whether a row is positive.</param>
    /// <param name="score">The positive class's score in a result.</param>
    /// <param name="threshold">A row is predicted positive when its score reaches this.</param>
    /// <param name="batchSize">The rows per batch.</param>
    /// <exception cref="MlOpsValidationException">There are no rows.</exception>
    public static BinaryEvaluation<TIn> EvaluateBinary<TIn, TOut>(this ModelHost<TIn, TOut> host, IEnumerable<TIn> rows, Func<TIn, bool> label, Func<TOut, double> score, double threshold = 0.5, int batchSize = DefaultBatchSize)
        where TOut : new()
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(label);
        ArgumentNullException.ThrowIfNull(score);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var collected = new Collected<TIn>(rows.TryGetNonEnumeratedCount(out var count) ? count : 0);
        foreach (var chunk in rows.Chunk(batchSize))
        {
            collected.Add(host, chunk, label, score);
        }

        return collected.Evaluation(threshold);
    }

    /// <inheritdoc cref="EvaluateBinary{TIn, TOut}"/>
    /// <param name="host">The model.</param>
    /// <param name="rows">The labelled rows, read as they come.</param>
    /// <param name="label">Whether a row is positive.</param>
    /// <param name="score">The positive class's score in a result.</param>
    /// <param name="threshold">A row is predicted positive when its score reaches this.</param>
    /// <param name="batchSize">The rows per batch.</param>
    /// <param name="cancellationToken">Stops reading rows.</param>
    public static async Task<BinaryEvaluation<TIn>> EvaluateBinaryAsync<TIn, TOut>(this ModelHost<TIn, TOut> host, IAsyncEnumerable<TIn> rows, Func<TIn, bool> label, Func<TOut, double> score, double threshold = 0.5, int batchSize = DefaultBatchSize, CancellationToken cancellationToken = default)
        where TOut : new()
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(label);
        ArgumentNullException.ThrowIfNull(score);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var collected = new Collected<TIn>(0);
        var chunk = new List<TIn>(batchSize);
        await foreach (var row in rows.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            chunk.Add(row);
            if (chunk.Count == batchSize)
            {
                collected.Add(host, [.. chunk], label, score);
                chunk.Clear();
            }
        }

        collected.Add(host, [.. chunk], label, score);
        return collected.Evaluation(threshold);
    }

    /// <summary>Rows, labels and scores gathered batch by batch, into arrays of the row count when it is known (no copy at the end).</summary>
    private sealed class Collected<TIn>(int capacity)
    {
        private TIn[] _rows = new TIn[capacity];
        private bool[] _labels = new bool[capacity];
        private double[] _scores = new double[capacity];
        private int _count;

        public void Add<TOut>(ModelHost<TIn, TOut> host, TIn[] chunk, Func<TIn, bool> label, Func<TOut, double> score)
            where TOut : new()
        {
            if (chunk.Length == 0)
            {
                return;
            }

            if (_count + chunk.Length > _rows.Length)
            {
                var size = Math.Max(_count + chunk.Length, _rows.Length * 2);
                Array.Resize(ref _rows, size);
                Array.Resize(ref _labels, size);
                Array.Resize(ref _scores, size);
            }

            var results = host.Predict(chunk);
            for (var i = 0; i < chunk.Length; i++)
            {
                _rows[_count] = chunk[i];
                _labels[_count] = label(chunk[i]);
                _scores[_count++] = score(results[i]);
            }
        }

        public BinaryEvaluation<TIn> Evaluation(double threshold)
        {
            if (_count == 0)
            {
                throw new MlOpsValidationException("There are no rows to evaluate the model on.");
            }

            if (_count != _rows.Length)
            {
                Array.Resize(ref _rows, _count);
                Array.Resize(ref _labels, _count);
                Array.Resize(ref _scores, _count);
            }

            return new BinaryEvaluation<TIn>(_rows, _labels, _scores, threshold);
        }
    }
}
