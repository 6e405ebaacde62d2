using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Wool.LoadBalancing;
using Wool.Routines;
using Wool.Security;

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
    private ImmutableDictionary<string, RefusedWorker> _refused = ImmutableDictionary<string, RefusedWorker>.Empty;
    private volatile CredentialSet? _credentials;

    public ImmutableArray<WorkerConnection> Connections => _connections;

    /// <summary>Workers that were skipped because they failed TLS authentication, by worker id.</summary>
    public ImmutableDictionary<string, RefusedWorker> Refused => _refused;

    /// <summary>Records that a worker was not used because it failed authentication, so that a call finding no worker says why.</summary>
    public void Refuse(WorkerInfo worker, WorkerAuthenticationException reason)
    {
        var refused = new RefusedWorker(worker, reason);
        ImmutableInterlocked.AddOrUpdate(ref _refused, worker.Id, refused, (_, _) => refused);
    }

    /// <summary>
    /// Waits for <paramref name="connection"/>'s handshake. Returns whether the worker may be used;
    /// one that failed authentication is logged and remembered as refused.
    /// </summary>
    public async Task<bool> VerifyAsync(WorkerConnection connection, ILogger logger)
    {
        try
        {
            await connection.Established.ConfigureAwait(false);
            return true;
        }
        catch (WorkerAuthenticationException e)
        {
            PoolLog.WorkerRefused(logger, connection.Worker.ToString(), e.Message);
            Refuse(connection.Worker, e);
            return false;
        }
        catch (Exception)
        {
            // Lost before it answered: its Lost event has taken it out already.
            return false;
        }
    }

    /// <summary>Forgets a refused worker (it left discovery, or may be tried again).</summary>
    public void Forget(string workerId) => ImmutableInterlocked.TryRemove(ref _refused, workerId, out _);

    /// <summary>
    /// Moves every connection to rotated credentials; calls in flight finish where they are. A
    /// connection added later with an older generation (it was connecting meanwhile) moves too.
    /// </summary>
    public void Rotate(CredentialSet credentials)
    {
        _credentials = credentials;
        foreach (WorkerConnection connection in _connections)
        {
            connection.Rotate(credentials);
        }
    }

    public void Add(WorkerConnection connection)
    {
        connection.Lost += (lost, _) => Remove(lost);
        ImmutableInterlocked.Update(ref _connections, static (all, added) => all.Add(added), connection);
        if (!connection.IsAlive)
        {
            Remove(connection);
        }
        else if (_credentials is { } latest && connection.Credentials is { } used && !ReferenceEquals(latest, used))
        {
            connection.Rotate(latest);
        }
    }

    public bool Remove(WorkerConnection connection)
        => ImmutableInterlocked.Update(ref _connections, static (all, removed) => all.Remove(removed), connection);

    public async Task<RoutineReply> InvokeAsync(RoutineRequest request, CancellationToken cancellationToken)
    {
        ImmutableArray<WorkerConnection> candidates = _connections;
        List<Exception>? failures = null;
        foreach (WorkerConnection connection in Order(candidates))
        {
            try
            {
                return await connection.InvokeAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (CallRejectedException e)
            {
                // Refused before it ran: nothing was executed, so another worker may take it.
                (failures ??= []).Add(e);
                if (DispatchFailures.Classify(e) == DispatchFailure.Evict)
                {
                    Remove(connection);
                }
            }
        }

        throw NoneAccepted(request, failures);
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

    /// <summary>Why no worker took the call: what each tried worker answered, and the workers skipped for failing authentication.</summary>
    internal NoWorkersAvailableException NoneAccepted(RoutineRequest request, List<Exception>? failures)
    {
        ImmutableDictionary<string, RefusedWorker> refused = _refused;
        IEnumerable<Exception> all = (failures ?? []).Concat(refused.Values.Select(r => r.Reason));
        Exception? cause = all.SelectMany(e => e.Causes()).OfType<WorkerAuthenticationException>().FirstOrDefault();
        string message = failures is null or []
            ? $"No worker is available to run routine '{request.RoutineName}': the pool has no running worker{(refused.IsEmpty ? "" : $" it may use; {refused.Count} failed TLS authentication")}."
            : $"No worker accepted routine '{request.RoutineName}'; it did not run.";
        return new NoWorkersAvailableException(message, [.. all.Select(e => e.Message)], cause);
    }
}
