using Wool.Workers;

namespace Wool.Discovery;

/// <summary>
/// How workers find each other without a coordinator: workers publish themselves, pools (and
/// workers, for their nested calls) subscribe. Implement it for your own backend; Wool ships
/// <see cref="LocalDiscovery"/> (one machine), <see cref="LanDiscovery"/> (mDNS), <see cref="DnsDiscovery"/>,
/// <see cref="EtcdDiscovery"/> and <see cref="StaticDiscovery"/>.
/// </summary>
/// <remarks>
/// Discovery is a hint, not a trust boundary: a pool still checks each worker's protocol version
/// when it connects. Implementations must be thread-safe; a subscription must end when its token
/// is cancelled.
/// </remarks>
public interface IWorkerDiscovery
{
    /// <summary>Announces a worker until the returned registration is disposed (which drops it).</summary>
    ValueTask<IWorkerRegistration> PublishAsync(WorkerInfo worker, CancellationToken cancellationToken);

    /// <summary>
    /// The workers present now (as <see cref="DiscoveryEventKind.Added"/> events), then every change,
    /// until <paramref name="cancellationToken"/> is cancelled. A worker that crashed must be
    /// reported <see cref="DiscoveryEventKind.Dropped"/> within a bounded time.
    /// </summary>
    IAsyncEnumerable<DiscoveryEvent> SubscribeAsync(CancellationToken cancellationToken);
}
