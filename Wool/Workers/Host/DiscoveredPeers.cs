using Microsoft.Extensions.Logging;
using Wool.Discovery;
using Wool.Workers.Pool;

namespace Wool.Workers.Host;

/// <summary>
/// A durable worker's place in its discovery namespace: it announces itself for as long as it
/// serves, and keeps its nested-call peers in step with the workers it discovers itself — so
/// nested calls go worker to worker, never through a caller.
/// </summary>
internal sealed class DiscoveredPeers : IAsyncDisposable
{
    private readonly IWorkerRegistration _registration;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _following;
    private readonly Lock _gate = new();
    private Task? _leaving;

    private DiscoveredPeers(IWorkerRegistration registration, IWorkerDiscovery discovery, WorkerInfo self, PeerPool peers, ILogger logger)
    {
        _registration = registration;
        _following = FollowAsync(discovery, self, peers, logger, _stop.Token);
    }

    public static async Task<DiscoveredPeers> StartAsync(IWorkerDiscovery discovery, WorkerInfo self, PeerPool peers, ILogger logger)
    {
        IWorkerRegistration registration = await discovery.PublishAsync(self, CancellationToken.None).ConfigureAwait(false);
        return new DiscoveredPeers(registration, discovery, self, peers, logger);
    }

    /// <summary>
    /// Leaves discovery (once): pools drop this worker and send it no new call, while its calls in
    /// flight finish and their nested calls still reach the peers, which stay known until disposal.
    /// </summary>
    public Task LeaveAsync()
    {
        lock (_gate)
        {
            return _leaving ??= _registration.DisposeAsync().AsTask();
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Dropped first, so that no one is handed this worker while it stops.
        await LeaveAsync().ConfigureAwait(false);
        await _stop.CancelAsync().ConfigureAwait(false);
        await _following.ConfigureAwait(false);
        _stop.Dispose();
    }

    // Peers of the other kind (TLS or not) are never dialled: the worker could not authenticate them, or they it.
    private static Task FollowAsync(IWorkerDiscovery discovery, WorkerInfo self, PeerPool peers, ILogger logger, CancellationToken cancellationToken)
        => DiscoveryFeed.FollowAsync(discovery, worker => DiscoveryFeed.Compatible(worker, self.Secure), peers.Apply, logger, cancellationToken);
}
