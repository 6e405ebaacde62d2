using Microsoft.Extensions.Logging;

namespace Wool.Discovery;

/// <summary>
/// A discovery backend that logs what goes wrong with its server (DNS, etcd), and tells its pool. A pool given one
/// that was made without a logger lends it its own (<see cref="WorkerPoolOptions.LoggerFactory"/>),
/// so a failing server is never silent just because the logger was passed to the pool only.
/// </summary>
internal interface ILoggingDiscovery
{
    /// <summary>Logs to <paramref name="logger"/> from now on, unless the backend was given a logger of its own.</summary>
    void UseLoggerIfNone(ILogger logger);

    /// <summary>Why the backend's server could not be read, while it cannot (null once it can): a pool that waited in vain says so.</summary>
    string? LastFailure { get; }
}
