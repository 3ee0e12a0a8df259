using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MlOps.Sdk.Monitoring;

/// <summary>
/// Compares live rows with a reference profile, window by window. <see cref="Observe"/> is O(1), allocation-free and
/// thread-safe: it claims a slot with one interlocked increment and writes the row's features into a preallocated
/// window; the caller that fills a window hands it to the thread pool, which copies it out, frees it for the window
/// after next, and tests it (<see cref="WindowClosed"/>). Two windows alternate, so capture never waits for a test.
/// A row's features are read before it claims a slot: a row whose property getter throws is counted
/// (<see cref="FailedRows"/>, <c>mlops.monitoring.rows_failed</c>) and left out, and every window still fills and closes.
/// </summary>
/// <typeparam name="TIn">The row type: its number, string and bool properties (and array elements) are the features.</typeparam>
public sealed partial class DriftMonitor<TIn> : IDisposable
{
    private readonly ReferenceProfile _reference;
    private readonly DriftOptions _options;
    private readonly FeatureExtractor<TIn> _extractor;
    private readonly Window[] _windows;
    private readonly int _numericCount;
    private readonly int _categoricalCount;
    private readonly ITimer? _timer;
    private readonly MonitoringTelemetry _telemetry;
    private readonly CallbackGuard _callbacks;
    private readonly ILogger _logger;
    private readonly Scratch?[] _scratch;
    private long _position;
    private long _failedRows;

    /// <summary>Creates a monitor of rows like the ones <paramref name="reference"/> was built from.</summary>
    /// <param name="reference">The reference.</param>
    /// <param name="options">Windows and thresholds.</param>
    /// <param name="time">The clock of <see cref="DriftOptions.WindowDuration"/>; the system clock by default.</param>
    /// <param name="logger">Where rows that cannot be read and failing <see cref="WindowClosed"/> subscribers are reported.</param>
    /// <exception cref="ArgumentException">The profile's features are not those of <typeparamref name="TIn"/>.</exception>
    public DriftMonitor(ReferenceProfile reference, DriftOptions? options = null, TimeProvider? time = null, ILogger? logger = null)
        : this(reference, options, time, logger, MonitoringTelemetry.Shared)
    {
    }

    internal DriftMonitor(ReferenceProfile reference, DriftOptions? options, TimeProvider? time, ILogger? logger, MonitoringTelemetry telemetry)
    {
        ArgumentNullException.ThrowIfNull(reference);
        _logger = logger ?? NullLogger.Instance;
        _telemetry = telemetry;
        _callbacks = new CallbackGuard(telemetry.CallbackErrors, _logger, Timeout.InfiniteTimeSpan);
        _reference = reference;
        _options = options ?? new DriftOptions();
        _options.Validate(reference);
        var properties = reference.Features.Select(f => f.Name.Split('[')[0]).ToHashSet(StringComparer.Ordinal);
        var categories = reference.Features.Where(f => f.Kind == FeatureKind.Categorical).Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        _extractor = new FeatureExtractor<TIn>(reference.VectorLengths, properties.Contains, categories.Contains);
        var expected = _extractor.NumericNames.Concat(_extractor.CategoricalNames);
        if (!expected.SequenceEqual(reference.Features.Select(f => f.Name)))
        {
            throw new ArgumentException($"The profile's features ({string.Join(", ", reference.Features.Select(f => f.Name))}) are not those of {typeof(TIn).Name} ({string.Join(", ", expected)}).", nameof(reference));
        }

        (_numericCount, _categoricalCount) = (_extractor.NumericNames.Length, _extractor.CategoricalNames.Length);
        _scratch = [.. Enumerable.Range(0, Math.Max(4, 2 * Environment.ProcessorCount)).Select(_ => new Scratch(_numericCount, _categoricalCount))];
        _windows = [new Window(this, 0), new Window(this, 1)];
        if (_options.WindowDuration is { } duration)
        {
            _timer = (time ?? TimeProvider.System).CreateTimer(_ => Seal(), null, duration, duration);
        }
    }

    /// <summary>Stops closing windows by time.</summary>
    public void Dispose() => _timer?.Dispose();

    /// <summary>
    /// Closes the current window early: moves the next claim to the next window's first slot, waits for the rows
    /// already claimed to be written (microseconds), and tests what the window holds.
    /// </summary>
    private void Seal()
    {
        var size = _options.WindowSize;
        while (true)
        {
            var position = Interlocked.Read(ref _position);
            var index = position / size;
            var claimed = (int)(position - (index * size));
            if (claimed == 0)
            {
                var empty = DriftEvaluator.Evaluate(_reference, _options, new double[_numericCount][], new string?[_categoricalCount][], 0);
                Publish(empty, []);
                return;
            }

            if (Interlocked.CompareExchange(ref _position, (index + 1) * size, position) != position)
            {
                continue;
            }

            var window = _windows[index & 1];
            var spinner = default(SpinWait);
            while (Volatile.Read(ref window.Index) != index || Volatile.Read(ref window.Written) != claimed)
            {
                spinner.SpinOnce();
            }

            window.Count = claimed;
            ThreadPool.UnsafeQueueUserWorkItem(window, preferLocal: false);
            return;
        }
    }

    /// <summary>
    /// Saves the open window (the features of the rows captured since the last window closed) under
    /// <paramref name="key"/>, so that <see cref="RestoreAsync"/> in the next process continues it. Safe while rows
    /// arrive: rows claimed before the checkpoint are waited for (microseconds), later ones belong to the next checkpoint.
    /// Rows kept for <see cref="DriftOptions.KeepRows"/> are not saved.
    /// </summary>
    /// <returns>The number of rows saved.</returns>
    public async Task<int> CheckpointAsync(State.StateStore store, string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var (numeric, categorical, rows) = SnapshotOpenWindow();
        await store.PutAsync(key, WindowSnapshot.Write(_reference, numeric, categorical, rows), cancellationToken).ConfigureAwait(false);
        return rows;
    }

    /// <summary>
    /// Continues the window a previous process saved with <see cref="CheckpointAsync"/>: call it before the first
    /// <see cref="Observe"/>. A snapshot of other features (another profile) is ignored.
    /// </summary>
    /// <returns>The number of rows restored (0 when there was no usable snapshot).</returns>
    /// <exception cref="InvalidOperationException">Rows were already captured.</exception>
    public async Task<int> RestoreAsync(State.StateStore store, string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (Captured != 0)
        {
            throw new InvalidOperationException("Restore the open window before capturing any row.");
        }

        var bytes = await store.GetAsync(key, cancellationToken).ConfigureAwait(false);
        if (bytes is null || !WindowSnapshot.TryRead(bytes, _reference, _numericCount, _categoricalCount, _options.WindowSize, out var numeric, out var categorical, out var rows))
        {
            return 0;
        }

        var window = _windows[0];
        numeric.AsSpan(0, rows * _numericCount).CopyTo(window.Numeric);
        categorical.AsSpan(0, rows * _categoricalCount).CopyTo(window.Categorical);
        Array.Fill(window.Ready, (byte)1, 0, rows);
        window.Written = rows;
        Interlocked.Exchange(ref _position, rows);
        return rows;
    }

    /// <summary>Copies the rows of the open window that are written; retries if the window closes meanwhile.</summary>
    private (double[] Numeric, string?[] Categorical, int Rows) SnapshotOpenWindow()
    {
        var size = _options.WindowSize;
        while (true)
        {
            var position = Interlocked.Read(ref _position);
            var index = position / size;
            var claimed = (int)(position - (index * size));
            var window = _windows[index & 1];
            var numeric = new double[claimed * _numericCount];
            var categorical = new string?[claimed * _categoricalCount];
            var spinner = default(SpinWait);
            var moved = false;
            for (var slot = 0; slot < claimed && !moved; slot++)
            {
                while (Volatile.Read(ref window.Index) != index || Volatile.Read(ref window.Ready[slot]) == 0)
                {
                    if (Interlocked.Read(ref _position) >= (index + 1) * size)
                    {
                        moved = true;
                        break;
                    }

                    spinner.SpinOnce();
                }
            }

            if (moved)
            {
                continue;
            }

            window.Numeric.AsSpan(0, numeric.Length).CopyTo(numeric);
            window.Categorical.AsSpan(0, categorical.Length).CopyTo(categorical);
            if (Volatile.Read(ref window.Index) == index && Interlocked.Read(ref _position) < (index + 1) * size)
            {
                return (numeric, categorical, claimed);
            }
        }
    }

    private void Publish(DriftReport report, TIn[] rows)
    {
        LastWindowRows = rows;
        LastReport = report;
        _callbacks.Raise(nameof(WindowClosed), WindowClosed, this, report);
    }

    /// <summary>Raised on the thread pool with each closed window's verdicts.</summary>
    public event EventHandler<DriftReport>? WindowClosed;

    /// <summary>Raised when testing a window failed; the monitor goes on with the next.</summary>
    public event EventHandler<Exception>? EvaluationFailed;

    /// <summary>The verdicts of the last window tested, or null before the first.</summary>
    public DriftReport? LastReport { get; private set; }

    /// <summary>The rows of the last window tested (what a retrain hook gets), when <see cref="DriftOptions.KeepRows"/> is set.</summary>
    public IReadOnlyList<TIn> LastWindowRows { get; private set; } = [];

    internal bool KeepsRows => _options.KeepRows;

    /// <summary>Rows captured so far (after sampling).</summary>
    public long Captured => Interlocked.Read(ref _position);

    /// <summary>Rows left out because reading their features threw (a property getter of <typeparamref name="TIn"/>).</summary>
    public long FailedRows => Interlocked.Read(ref _failedRows);

    /// <summary>Captures one row (or skips it, by the sampling rate). Never throws for a row it cannot read: it counts it.</summary>
    public void Observe(TIn row)
    {
        if (_options.SamplingRate < 1 && Random.Shared.NextDouble() >= _options.SamplingRate)
        {
            return;
        }

        // Read first, claim after: a row that cannot be read must not hold a slot its window would wait for.
        var (scratch, from) = RentScratch();
        try
        {
            if (TryExtract(row, scratch.Numeric, scratch.Categorical))
            {
                Capture(row, scratch.Numeric, scratch.Categorical);
            }
        }
        finally
        {
            Array.Clear(scratch.Categorical);
            Volatile.Write(ref _scratch[from], scratch);
        }
    }

    /// <summary>Takes a free buffer to read a row into; one per concurrent caller, made only when more callers than buffers meet.</summary>
    private (Scratch Buffer, int Slot) RentScratch()
    {
        var start = Environment.CurrentManagedThreadId % _scratch.Length;
        for (var i = 0; i < _scratch.Length; i++)
        {
            var slot = (start + i) % _scratch.Length;
            if (Interlocked.Exchange(ref _scratch[slot], null) is { } free)
            {
                return (free, slot);
            }
        }

        return (new Scratch(_numericCount, _categoricalCount), start);
    }

    /// <summary>Claims the next slot of the open window and copies a row's features into it.</summary>
    private void Capture(TIn row, ReadOnlySpan<double> numericRow, ReadOnlySpan<string?> categoricalRow)
    {
        var position = Interlocked.Increment(ref _position) - 1;
        var index = position / _options.WindowSize;
        var slot = (int)(position % _options.WindowSize);
        var window = _windows[index & 1];
        if (Volatile.Read(ref window.Index) != index)
        {
            // The window before last is still being copied out: a few microseconds at most.
            var spinner = default(SpinWait);
            while (Volatile.Read(ref window.Index) != index)
            {
                spinner.SpinOnce();
            }
        }

        numericRow.CopyTo(window.Numeric.AsSpan(slot * _numericCount, _numericCount));
        categoricalRow.CopyTo(window.Categorical.AsSpan(slot * _categoricalCount, _categoricalCount));
        if (window.Rows is { } rows)
        {
            rows[slot] = row;
        }

        Volatile.Write(ref window.Ready[slot], 1);
        if (Interlocked.Increment(ref window.Written) == _options.WindowSize)
        {
            window.Count = _options.WindowSize;
            ThreadPool.UnsafeQueueUserWorkItem(window, preferLocal: false);
        }
    }

    private bool TryExtract(TIn row, Span<double> numeric, Span<string?> categorical)
    {
        try
        {
            _extractor.Extract(row, numeric, categorical);
            return true;
        }
        catch (Exception e)
        {
            if (Interlocked.Increment(ref _failedRows) == 1)
            {
                Log.RowFailed(_logger, e, typeof(TIn).Name);
            }

            _telemetry.RowsFailed.Add(1, new KeyValuePair<string, object?>("error.type", e.GetType().Name));
            return false;
        }
    }

    /// <summary>
    /// Captures the inputs of every single prediction <paramref name="host"/> serves, until the handle is disposed. The
    /// rows reach the monitor through the host's observer queue: reading their features (the row type's getters) never
    /// runs on, and so can never hold up, a prediction; a window counts the rows captured, which trail the predictions by
    /// at most a millisecond. Dispose the handle asynchronously to wait until every row predicted before is captured.
    /// </summary>
    public IDisposable Watch<TOut>(Serving.ModelHost<TIn, TOut> host)
        where TOut : new()
    {
        ArgumentNullException.ThrowIfNull(host);
        return host.Observe(new InputObserver<TOut>(this), Serving.ObserverDelivery.Queued);
    }

    /// <summary>Tests <paramref name="rows"/> as one window, with the same definitions the streaming windows use.</summary>
    public DriftReport Evaluate(IEnumerable<TIn> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var list = rows as IReadOnlyList<TIn> ?? rows.ToList();
        var numeric = new double[list.Count * _numericCount];
        var categorical = new string?[list.Count * _categoricalCount];
        var count = 0;
        foreach (var row in list)
        {
            // Rows that cannot be read are left out and counted, as in streaming.
            if (TryExtract(row, numeric.AsSpan(count * _numericCount, _numericCount), categorical.AsSpan(count * _categoricalCount, _categoricalCount)))
            {
                count++;
            }
        }

        var columns = new Columns(_numericCount, _categoricalCount, count);
        columns.Fill(numeric, categorical, count);
        return DriftEvaluator.Evaluate(_reference, _options, columns.Numeric, columns.Categorical, count);
    }

    /// <summary>A row's features, read before the row claims a slot.</summary>
    private sealed class Scratch(int numeric, int categorical)
    {
        public readonly double[] Numeric = new double[numeric];
        public readonly string?[] Categorical = new string?[categorical];
    }

    /// <summary>A window's values by feature: what the tests read (and sort in place).</summary>
    private sealed class Columns(int numeric, int categorical, int rows)
    {
        public readonly double[][] Numeric = [.. Enumerable.Range(0, numeric).Select(_ => new double[rows])];
        public readonly string?[][] Categorical = [.. Enumerable.Range(0, categorical).Select(_ => new string?[rows])];

        /// <summary>Transposes row-major values into the columns.</summary>
        public void Fill(double[] numeric, string?[] categorical, int rows)
        {
            for (var f = 0; f < Numeric.Length; f++)
            {
                for (var r = 0; r < rows; r++)
                {
                    Numeric[f][r] = numeric[(r * Numeric.Length) + f];
                }
            }

            for (var f = 0; f < Categorical.Length; f++)
            {
                for (var r = 0; r < rows; r++)
                {
                    Categorical[f][r] = categorical[(r * Categorical.Length) + f];
                }
            }
        }
    }

    private sealed class InputObserver<TOut>(DriftMonitor<TIn> monitor) : Serving.IPredictionObserver<TIn, TOut>
    {
        public void OnPrediction(TIn input, TOut output, Versioning.ModelVersion version) => monitor.Observe(input);
    }

    /// <summary>One of the two alternating windows; it is also the work item that tests it.</summary>
    private sealed class Window(DriftMonitor<TIn> monitor, long index) : IThreadPoolWorkItem
    {
        public readonly double[] Numeric = new double[monitor._options.WindowSize * monitor._numericCount];
        public readonly string?[] Categorical = new string?[monitor._options.WindowSize * monitor._categoricalCount];
        public readonly TIn[]? Rows = monitor._options.KeepRows ? new TIn[monitor._options.WindowSize] : null;
        public readonly byte[] Ready = new byte[monitor._options.WindowSize];
        public long Index = index;
        public int Written;
        public int Count;
        private readonly Columns _columns = new(monitor._numericCount, monitor._categoricalCount, monitor._options.WindowSize);
        private int _columnsInUse;

        public void Execute()
        {
            // The columns are reused; only if the test of this window's previous turn is still running are new ones made.
            var own = Interlocked.Exchange(ref _columnsInUse, 1) == 0;
            var columns = own ? _columns : new Columns(monitor._numericCount, monitor._categoricalCount, monitor._options.WindowSize);
            var count = Count;
            columns.Fill(Numeric, Categorical, count);
            TIn[] rows = [];
            if (Rows is not null)
            {
                rows = Rows[..count];
                Array.Clear(Rows);
            }

            Array.Clear(Ready);
            Written = 0;
            Volatile.Write(ref Index, Index + 2);
            try
            {
                monitor.Publish(DriftEvaluator.Evaluate(monitor._reference, monitor._options, columns.Numeric, columns.Categorical, count), rows);
            }
            catch (Exception e)
            {
                monitor._callbacks.Raise(nameof(EvaluationFailed), monitor.EvaluationFailed, monitor, e);
            }
            finally
            {
                if (own)
                {
                    Volatile.Write(ref _columnsInUse, 0);
                }
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 5301, Level = LogLevel.Warning, Message = "A {Type} row could not be read for drift monitoring; such rows are left out of the windows and counted (mlops.monitoring.rows_failed). This is logged once per monitor.")]
        public static partial void RowFailed(ILogger logger, Exception exception, string type);
    }
}
