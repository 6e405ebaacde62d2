using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Wool.Telemetry;

/// <summary>
/// Telemetry is best effort: when a listener (a sampler, a processor, a metric callback: the
/// application's code) throws, the call goes on without its span or metrics, and the first such
/// failure is logged. A worker, and a pool, point <see cref="Logger"/> at their logging.
/// </summary>
internal static partial class TelemetryLog
{
    private static int s_reported;

    public static ILogger Logger { get; set; } = NullLogger.Instance;

    /// <summary>Reports a listener's failure (the first one per process; later ones would flood the log).</summary>
    public static void Failed(Exception error)
    {
        if (Interlocked.Exchange(ref s_reported, 1) == 0)
        {
            ListenerFailed(Logger, error, error.Message);
        }
    }

    [LoggerMessage(EventId = 301, EventName = "TelemetryFailed", Level = LogLevel.Warning, Message = "A telemetry listener threw ({Reason}); Wool's calls go on without that span or those metrics. Later failures are not logged.")]
    private static partial void ListenerFailed(ILogger logger, Exception exception, string reason);
}
