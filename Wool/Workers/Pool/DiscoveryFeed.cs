using Microsoft.Extensions.Logging;
using Wool.Discovery;
using Wool.Workers.Client;
using Wool.Workers.Protocol;

namespace Wool.Workers.Pool;

/// <summary>Follows a discovery's events for whoever keeps a roster of workers: a pool, or a durable worker's peers.</summary>
internal static class DiscoveryFeed
{
    /// <summary>
    /// Whether a discovered worker can be used at all: it speaks this protocol and is of the same
    /// kind (TLS or not) as the side that would dial it, which could not authenticate it, or be
    /// authenticated by it, otherwise. Discovery is a hint: a TLS worker must still pass the handshake.
    /// </summary>
    public static bool Compatible(WorkerInfo worker, bool secure)
        => worker.ProtocolVersion == WireProtocol.Version && worker.Secure == secure;

    /// <summary>Hands each event for the workers <paramref name="filter"/> admits to <paramref name="apply"/>, until cancelled.</summary>
    public static async Task FollowAsync(IWorkerDiscovery discovery, Func<WorkerInfo, bool> filter, Action<DiscoveryEvent> apply, ILogger logger, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (DiscoveryEvent change in discovery.SubscribeAsync(filter, cancellationToken).ConfigureAwait(false))
            {
                apply(change);
            }
        }
        catch (OperationCanceledException)
        {
            // Cancelled by its owner, or a backend that gave up: either way it ends here, and the
            // workers already known stay in use.
        }
        catch (Exception e)
        {
            // A backend that broke: say so, loudly; the workers already known stay in use.
            ClientLog.DiscoveryFailed(logger, discovery.GetType().Name, e.Message, e);
        }
    }
}
