using System.Runtime.ExceptionServices;
using MlOps.Sdk.Serving;

namespace MlOps.Sdk.Testing.Quality;

/// <summary>Evaluates a model host on labelled rows, predicting in batches through the host's batch path.</summary>
public static class ModelEvaluation
{
    /// <summary>The rows one batch prediction takes.</summary>
    public const int DefaultBatchSize = 1024;

    /// <summary>
    /// Predicts every row with <paramref name="host"/> (batches of <paramref name="batchSize"/> through
    /// <c>Predict(ReadOnlySpan)</c>, so no session work per row) and evaluates a binary classifier. Batches are predicted
    /// concurrently, as a serving process's request threads would call the host, up to
    /// <paramref name="maxDegreeOfParallelism"/> at once.
    /// </summary>
    /// <param name="host">The model: a host from the application's container, or <see cref="ModelUnderTest"/>.</param>
    /// <param name="rows">The labelled rows; an array or a list is kept by the evaluation as it is, not copied.</param>
    /// <param name="label">Whether a row is positive; called from several threads at once.</param>
    /// <param name="score">The positive class's score in a result; called from several threads at once.</param>
    /// <param name="threshold">A row is predicted positive when its score reaches this.</param>
    /// <param name="batchSize">The rows per batch.</param>
    /// <param name="maxDegreeOfParallelism">The batches predicted at once: 1 for one after another, -1 (the default) for one per processor.</param>
    /// <exception cref="MlOpsValidationException">There are no rows.</exception>
    public static BinaryEvaluation<TIn> EvaluateBinary<TIn, TOut>(this ModelHost<TIn, TOut> host, IEnumerable<TIn> rows, Func<TIn, bool> label, Func<TOut, double> score, double threshold = 0.5, int batchSize = DefaultBatchSize, int maxDegreeOfParallelism = -1)
        where TOut : new()
    {
        ArgumentNullException.ThrowIfNull(rows);
        Validate(host, label, score, batchSize, maxDegreeOfParallelism);

        // An array or a list is read where it is (the evaluation keeps it for slices), anything else copied once.
        return rows is List<TIn> list
            ? Evaluate(host, list, () => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(list), label, score, threshold, batchSize, maxDegreeOfParallelism)
            : Evaluate(host, rows as TIn[] ?? [.. rows], label, score, threshold, batchSize, maxDegreeOfParallelism);
    }

    /// <inheritdoc cref="EvaluateBinary{TIn, TOut}"/>
    /// <param name="host">The model.</param>
    /// <param name="rows">The labelled rows, read to the end before the first prediction.</param>
    /// <param name="label">Whether a row is positive; called from several threads at once.</param>
    /// <param name="score">The positive class's score in a result; called from several threads at once.</param>
    /// <param name="threshold">A row is predicted positive when its score reaches this.</param>
    /// <param name="batchSize">The rows per batch.</param>
    /// <param name="maxDegreeOfParallelism">The batches predicted at once: 1 for one after another, -1 (the default) for one per processor.</param>
    /// <param name="cancellationToken">Stops reading rows.</param>
    public static async Task<BinaryEvaluation<TIn>> EvaluateBinaryAsync<TIn, TOut>(this ModelHost<TIn, TOut> host, IAsyncEnumerable<TIn> rows, Func<TIn, bool> label, Func<TOut, double> score, double threshold = 0.5, int batchSize = DefaultBatchSize, int maxDegreeOfParallelism = -1, CancellationToken cancellationToken = default)
        where TOut : new()
    {
        ArgumentNullException.ThrowIfNull(rows);
        Validate(host, label, score, batchSize, maxDegreeOfParallelism);
        var all = new List<TIn>();
        await foreach (var row in rows.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            all.Add(row);
        }

        return Evaluate(host, all, () => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(all), label, score, threshold, batchSize, maxDegreeOfParallelism);
    }

    private static void Validate<TIn, TOut>(ModelHost<TIn, TOut> host, Func<TIn, bool> label, Func<TOut, double> score, int batchSize, int maxDegreeOfParallelism)
        where TOut : new()
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(label);
        ArgumentNullException.ThrowIfNull(score);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (maxDegreeOfParallelism is 0 or < -1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxDegreeOfParallelism), maxDegreeOfParallelism, "Use a positive number of batches, or -1 for one per processor.");
        }
    }

    private static BinaryEvaluation<TIn> Evaluate<TIn, TOut>(ModelHost<TIn, TOut> host, TIn[] rows, Func<TIn, bool> label, Func<TOut, double> score, double threshold, int batchSize, int maxDegreeOfParallelism)
        where TOut : new() =>
        Evaluate(host, rows, () => rows, label, score, threshold, batchSize, maxDegreeOfParallelism);

    /// <summary>Predicts the batches of <paramref name="rows"/> (read through <paramref name="span"/>, the same rows as a span) and keeps them in the evaluation.</summary>
    private static BinaryEvaluation<TIn> Evaluate<TIn, TOut>(ModelHost<TIn, TOut> host, IReadOnlyList<TIn> rows, Func<ReadOnlySpan<TIn>> span, Func<TIn, bool> label, Func<TOut, double> score, double threshold, int batchSize, int maxDegreeOfParallelism)
        where TOut : new()
    {
        if (rows.Count == 0)
        {
            throw new MlOpsValidationException("There are no rows to evaluate the model on.");
        }

        var labels = new Column<bool>(rows.Count);
        var scores = new Column<double>(rows.Count);
        var batches = (rows.Count + batchSize - 1) / batchSize;
        var parallelism = maxDegreeOfParallelism == -1 ? Environment.ProcessorCount : maxDegreeOfParallelism;
        try
        {
            Parallel.For(0, batches, new ParallelOptions { MaxDegreeOfParallelism = Math.Min(parallelism, batches) }, batch =>
            {
                var start = batch * batchSize;
                var items = span().Slice(start, Math.Min(batchSize, rows.Count - start));
                var results = host.Predict(items);
                for (var i = 0; i < results.Count; i++)
                {
                    scores[start + i] = score(results[i]);
                    labels[start + i] = label(items[i]); // the batch's rows are still in the cache
                }
            });
        }
        catch (AggregateException e)
        {
            // The host's own exception, unwrapped, as predicting one batch after another would have thrown it.
            ExceptionDispatchInfo.Throw(e.InnerExceptions[0]);
        }

        return new BinaryEvaluation<TIn>(rows, labels, scores, threshold);
    }
}
