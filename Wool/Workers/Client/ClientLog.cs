using Microsoft.Extensions.Logging;

namespace Wool.Workers.Client;

/// <summary>Log messages of a caller's connections to workers. They go to the owning pool's logger; event ids are stable.</summary>
internal static partial class ClientLog
{
    [LoggerMessage(EventId = 102, EventName = "WorkerLost", Level = LogLevel.Warning, Message = "Lost {Worker}: {Reason}")]
    public static partial void WorkerLost(ILogger logger, string worker, string reason);

    [LoggerMessage(EventId = 109, EventName = "Rotated", Level = LogLevel.Information, Message = "{Worker}: new calls use the rotated credentials; calls in flight finish on the previous connection.")]
    public static partial void Rotated(ILogger logger, string worker);

    [LoggerMessage(EventId = 110, EventName = "RotationPending", Level = LogLevel.Warning, Message = "{Worker} does not accept the rotated credentials yet ({Reason}); calls stay on the previous connection, next try in {Seconds} s.")]
    public static partial void RotationPending(ILogger logger, string worker, string reason, double seconds);

    [LoggerMessage(EventId = 112, EventName = "CouldNotConnect", Level = LogLevel.Information, Message = "Could not connect to {Worker}: {Reason}")]
    public static partial void CouldNotConnect(ILogger logger, string worker, string reason);

    [LoggerMessage(EventId = 113, EventName = "DiscoveryFailed", Level = LogLevel.Error, Message = "Discovery ({Backend}) failed and stopped: {Reason}. No worker will be added or dropped from now on; the workers known stay in use.")]
    public static partial void DiscoveryFailed(ILogger logger, string backend, string reason, Exception exception);

    /// <summary>A link ended: never connected (not lost: nothing ran there), or lost unless it was expected to close.</summary>
    public static void LinkEnded(ILogger logger, string worker, string reason, bool established, bool expected)
    {
        if (!established)
        {
            // Authentication failures are logged, as warnings, by whoever verifies the connection.
            CouldNotConnect(logger, worker, reason);
        }
        else if (!expected)
        {
            WorkerLost(logger, worker, reason);
            Telemetry.WoolInstruments.WorkersLost.Add(1);
        }
    }
}
