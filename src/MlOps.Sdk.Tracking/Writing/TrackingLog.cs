using Microsoft.Extensions.Logging;

namespace MlOps.Sdk.Tracking.Writing;

internal static partial class TrackingLog
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "Writing {Points} metric points and {Others} other records to the tracking store failed; the write pipeline decides whether and when to retry.")]
    public static partial void WriteFailed(ILogger logger, Exception exception, int points, int others);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "Run {RunId} dropped a metric point: the queue of {Capacity} points is full. Further drops are counted, not logged.")]
    public static partial void PointsDropped(ILogger logger, string runId, int capacity);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Error, Message = "Param '{Key}' of run {RunId} is stored as '{Stored}'; the value '{Rejected}' was not written.")]
    public static partial void ParamConflict(ILogger logger, string runId, string key, string stored, string rejected);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Information, Message = "Run {RunId} ('{RunName}') started in experiment {ExperimentId}.")]
    public static partial void RunStarted(ILogger logger, string runId, string runName, string experimentId);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Information, Message = "Run {RunId} ended as {Status}.")]
    public static partial void RunEnded(ILogger logger, string runId, RunStatus status);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Error, Message = "A batch was rejected by the tracking store and discarded.")]
    public static partial void BatchRejected(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Warning, Message = "Run {RunId} could not be ended when the host stopped; it reads as killed once its lease runs out.")]
    public static partial void EndOnStopFailed(ILogger logger, Exception exception, string runId);

    [LoggerMessage(EventId = 1008, Level = LogLevel.Warning, Message = "The tracker was disposed synchronously and the store had not written what was queued after {Grace}; the write was cancelled. Dispose the service provider asynchronously to wait longer.")]
    public static partial void DisposeCancelledWrites(ILogger logger, TimeSpan grace);

    [LoggerMessage(EventId = 1009, Level = LogLevel.Critical, Message = "The tracking writer stopped on an unexpected error; nothing more is written by this tracker.")]
    public static partial void WriterStopped(ILogger logger, Exception exception);
}
