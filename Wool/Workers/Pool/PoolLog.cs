using Microsoft.Extensions.Logging;

namespace Wool.Workers.Pool;

/// <summary>Log messages of a pool: its workers' processes, admission and credentials. Event ids are stable.</summary>
internal static partial class PoolLog
{
    [LoggerMessage(EventId = 101, EventName = "WorkerStarted", Level = LogLevel.Information, Message = "Started {Worker} in {Milliseconds} ms.")]
    public static partial void WorkerStarted(ILogger logger, string worker, long milliseconds);

    [LoggerMessage(EventId = 103, EventName = "WorkerOutput", Level = LogLevel.Information, Message = "[worker {ProcessId}] {Line}")]
    public static partial void WorkerOutput(ILogger logger, int processId, string line);

    [LoggerMessage(EventId = 104, EventName = "WorkerError", Level = LogLevel.Warning, Message = "[worker {ProcessId}] {Line}")]
    public static partial void WorkerError(ILogger logger, int processId, string line);

    [LoggerMessage(EventId = 116, EventName = "WorkerLog", Message = "[worker {ProcessId}] {Line}")]
    public static partial void WorkerLog(ILogger logger, LogLevel level, int processId, string line);

    [LoggerMessage(EventId = 105, EventName = "WorkerExited", Level = LogLevel.Information, Message = "{Worker} exited with code {ExitCode}.")]
    public static partial void WorkerExited(ILogger logger, string worker, int exitCode);

    [LoggerMessage(EventId = 106, EventName = "WorkerKilled", Level = LogLevel.Warning, Message = "{Worker} did not exit within its grace period; killed it.")]
    public static partial void WorkerKilled(ILogger logger, string worker);

    [LoggerMessage(EventId = 107, EventName = "PoolStartFailed", Level = LogLevel.Error, Message = "The pool could not start its workers: {Reason}")]
    public static partial void PoolStartFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 108, EventName = "WorkerRefused", Level = LogLevel.Warning, Message = "Skipped {Worker}: {Reason}")]
    public static partial void WorkerRefused(ILogger logger, string worker, string reason);

    [LoggerMessage(EventId = 111, EventName = "CredentialsNotReloaded", Level = LogLevel.Warning, Message = "Changed credential files could not be loaded ({Reason}); the previous credentials stay in use.")]
    public static partial void CredentialsNotReloaded(ILogger logger, string reason);

    [LoggerMessage(EventId = 17, EventName = "PeersNotUpdated", Level = LogLevel.Warning, Message = "Could not update the connections to this worker's peers: {Reason}")]
    public static partial void PeersNotUpdated(ILogger logger, string reason);

    [LoggerMessage(EventId = 113, EventName = "WorkerNotDialled", Level = LogLevel.Warning, Message = "Could not dial {Worker}: {Reason}")]
    public static partial void WorkerNotDialled(ILogger logger, string worker, string reason);

    [LoggerMessage(EventId = 114, EventName = "WorkerReplacing", Level = LogLevel.Warning, Message = "{Worker} {Ending}; starting another in its place in {DelayMilliseconds} ms.")]
    public static partial void WorkerReplacing(ILogger logger, string worker, string ending, double delayMilliseconds);

    [LoggerMessage(EventId = 115, EventName = "WorkerReplaced", Level = LogLevel.Information, Message = "{Worker} took the place of a lost worker.")]
    public static partial void WorkerReplaced(ILogger logger, string worker);
}
