using System.Collections.Immutable;
using Wool.LoadBalancing;
using Wool.Routines;

namespace Wool.Workers;

/// <summary>
/// The connections a pool dispatches to, in round-robin order starting from a random worker.
/// A lost connection leaves the set at once; a call that a worker refused before running it
/// (transiently) goes to the next worker; a call a worker accepted is never sent again. Thread-safe.
/// </summary>
internal sealed class WorkerSet(ILoadBalancer? balancer = null) : IAsyncDisposable
{
    private readonly ILoadBalancer _balancer = balancer ?? new RoundRobinLoadBalancer();
    private ImmutableArray<WorkerConnection> _connections = [];

    public ImmutableArray<WorkerConnection> Connections => _connections;

    public void Add(WorkerConnection connection)
    {
        connection.Lost += (lost, _) => Remove(lost);
        ImmutableInterlocked.Update(ref _connections, static (all, added) => all.Add(added), connection);
        if (!connection.IsAlive)
        {
            Remove(connection);
        }
    }

    public bool Remove(WorkerConnection connection)
        => ImmutableInterlocked.Update(ref _connections, static (all, removed) => all.Remove(removed), connection);

    public async Task<RoutineReply> InvokeAsync(RoutineRequest request, CancellationToken cancellationToken)
    {
        ImmutableArray<WorkerConnection> candidates = _connections;
        List<string>? failures = null;
        foreach (WorkerConnection connection in Order(candidates))
        {
            try
            {
                return await connection.InvokeAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (CallRejectedException e)
            {
                // Refused before it ran: nothing was executed, so another worker may take it.
                (failures ??= []).Add(e.Message);
                if (DispatchFailures.Classify(e) == DispatchFailure.Evict)
                {
                    Remove(connection);
                }
            }
        }

        throw NoneAccepted(request, candidates, failures);
    }

    public IRoutineStream OpenStream(RoutineRequest request, CancellationToken cancellationToken)
        => new FailoverRoutineStream(this, Order(_connections), request, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        ImmutableArray<WorkerConnection> all = ImmutableInterlocked.InterlockedExchange(ref _connections, []);
        await Task.WhenAll(all.Select(c => c.DisposeAsync().AsTask())).ConfigureAwait(false);
    }

    private IEnumerable<WorkerConnection> Order(ImmutableArray<WorkerConnection> candidates)
    {
        if (_balancer is RoundRobinLoadBalancer roundRobin)
        {
            // The default balancer's order, without building a list per call.
            int start = roundRobin.Start(candidates.Length);
            for (int i = 0; i < candidates.Length; i++)
            {
                yield return candidates[(start + i) % candidates.Length];
            }

            yield break;
        }

        var byId = candidates.ToDictionary(c => c.Worker.Id);
        foreach (WorkerInfo worker in _balancer.Order([.. candidates.Select(c => c.Worker)]))
        {
            if (byId.TryGetValue(worker.Id, out WorkerConnection? connection))
            {
                yield return connection;
            }
        }
    }

    internal static NoWorkersAvailableException NoneAccepted(RoutineRequest request, ImmutableArray<WorkerConnection> candidates, List<string>? failures)
        => new(
            candidates.IsEmpty
                ? $"No worker is available to run routine '{request.RoutineName}': the pool has no running worker."
                : $"No worker accepted routine '{request.RoutineName}'; it did not run.",
            failures ?? []);
}
