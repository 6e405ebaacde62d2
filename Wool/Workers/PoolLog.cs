using Microsoft.Extensions.Logging;

namespace Wool.Workers;

/// <summary>Log messages of a pool (the caller's side).</summary>
internal static partial class PoolLog
{
    [LoggerMessage(EventId = 101, EventName = "WorkerStarted", Level = LogLevel.Information, Message = "Started {Worker} in {Milliseconds} ms.")]
    public static partial void WorkerStarted(ILogger logger, string worker, long milliseconds);

    [LoggerMessage(EventId = 102, EventName = "WorkerLost", Level = LogLevel.Warning, Message = "Lost {Worker}: {Reason}")]
    public static partial void WorkerLost(ILogger logger, string worker, string reason);

    [LoggerMessage(EventId = 103, EventName = "WorkerOutput", Level = LogLevel.Information, Message = "[worker {ProcessId}] {Line}")]
    public static partial void WorkerOutput(ILogger logger, int processId, string line);

    [LoggerMessage(EventId = 104, EventName = "WorkerError", Level = LogLevel.Warning, Message = "[worker {ProcessId}] {Line}")]
    public static partial void WorkerError(ILogger logger, int processId, string line);

    [LoggerMessage(EventId = 105, EventName = "WorkerExited", Level = LogLevel.Information, Message = "{Worker} exited with code {ExitCode}.")]
    public static partial void WorkerExited(ILogger logger, string worker, int exitCode);

    [LoggerMessage(EventId = 106, EventName = "WorkerKilled", Level = LogLevel.Warning, Message = "{Worker} did not exit within its grace period; killed it.")]
    public static partial void WorkerKilled(ILogger logger, string worker);

    [LoggerMessage(EventId = 107, EventName = "PoolStartFailed", Level = LogLevel.Error, Message = "The pool could not start its workers: {Reason}")]
    public static partial void PoolStartFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 108, EventName = "WorkerRefused", Level = LogLevel.Warning, Message = "Skipped {Worker}: {Reason}")]
    public static partial void WorkerRefused(ILogger logger, string worker, string reason);

    [LoggerMessage(EventId = 109, EventName = "Rotated", Level = LogLevel.Information, Message = "{Worker}: new calls use the rotated credentials; calls in flight finish on the previous connection.")]
    public static partial void Rotated(ILogger logger, string worker);

    [LoggerMessage(EventId = 110, EventName = "RotationPending", Level = LogLevel.Warning, Message = "{Worker} does not accept the rotated credentials yet ({Reason}); calls stay on the previous connection, next try in {Seconds} s.")]
    public static partial void RotationPending(ILogger logger, string worker, string reason, double seconds);

    [LoggerMessage(EventId = 111, EventName = "CredentialsNotReloaded", Level = LogLevel.Warning, Message = "Changed credential files could not be loaded ({Reason}); the previous credentials stay in use.")]
    public static partial void CredentialsNotReloaded(ILogger logger, string reason);

    [LoggerMessage(EventId = 112, EventName = "CouldNotConnect", Level = LogLevel.Information, Message = "Could not connect to {Worker}: {Reason}")]
    public static partial void CouldNotConnect(ILogger logger, string worker, string reason);
}
