using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Wool.Discovery;

namespace Wool.Tests.Integration.Discovery;

/// <summary>A discovery a user might write: a list of workers, fed by hand.</summary>
internal sealed class ListDiscovery : IWorkerDiscovery
{
    private readonly Channel<DiscoveryEvent> _events = Channel.CreateUnbounded<DiscoveryEvent>();

    public ListDiscovery(params DurableWorker[] workers)
    {
        foreach (DurableWorker worker in workers)
        {
            _events.Writer.TryWrite(new DiscoveryEvent(DiscoveryEventKind.Added, new WorkerInfo($"by-hand-{worker.ProcessId}", worker.Address, worker.ProcessId)));
        }
    }

    public ValueTask<IWorkerRegistration> PublishAsync(WorkerInfo worker, CancellationToken cancellationToken)
    {
        _events.Writer.TryWrite(new DiscoveryEvent(DiscoveryEventKind.Added, worker));
        return new(new NoRegistration());
    }

    public async IAsyncEnumerable<DiscoveryEvent> SubscribeAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (DiscoveryEvent change in _events.Reader.ReadAllAsync(cancellationToken))
        {
            yield return change;
        }
    }

    private sealed class NoRegistration : IWorkerRegistration
    {
        public ValueTask UpdateAsync(WorkerInfo worker, CancellationToken cancellationToken) => default;

        public ValueTask DisposeAsync() => default;
    }
}
