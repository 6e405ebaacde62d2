using System.Runtime.CompilerServices;
using Wool.Workers;

namespace Wool.Discovery;

/// <summary>Helpers over <see cref="IWorkerDiscovery"/>.</summary>
public static class DiscoveryExtensions
{
    /// <summary>Subscribes to the workers that satisfy <paramref name="filter"/> only.</summary>
    public static async IAsyncEnumerable<DiscoveryEvent> SubscribeAsync(this IWorkerDiscovery discovery, Func<WorkerInfo, bool> filter, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(discovery);
        ArgumentNullException.ThrowIfNull(filter);
        var admitted = new HashSet<string>(StringComparer.Ordinal);
        await foreach (DiscoveryEvent change in discovery.SubscribeAsync(cancellationToken).ConfigureAwait(false))
        {
            bool wanted = change.Kind != DiscoveryEventKind.Dropped && filter(change.Worker);
            if (wanted)
            {
                yield return admitted.Add(change.Worker.Id) ? change with { Kind = DiscoveryEventKind.Added } : change;
            }
            else if (admitted.Remove(change.Worker.Id))
            {
                // Dropped, or no longer matches: to this subscriber it is gone.
                yield return change with { Kind = DiscoveryEventKind.Dropped };
            }
        }
    }
}
