using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Wool.LoadBalancing;
using Wool.Routines;
using Wool.Security;
using Wool.Workers.Client;

namespace Wool.Workers.Pool;

/// <summary>
/// The connections a pool dispatches to, in round-robin order starting from a random worker.
/// A lost connection leaves the set at once; a call that a worker refused before running it
/// (transiently) goes to the next worker; a call a worker accepted is never sent again. Thread-safe.
/// </summary>
internal sealed class WorkerSet : IAsyncDisposable
{
    private readonly ILoadBalancer _balancer;
    private ImmutableArray<WorkerConnection> _connections = [];
    private ImmutableDictionary<string, RefusedWorker> _refused = ImmutableDictionary<string, RefusedWorker>.Empty;
    private volatile CredentialSet? _credentials;

    public WorkerSet(ILoadBalancer? balancer = null)
    {
        _balancer = balancer ?? new RoundRobinLoadBalancer();
        WorkerGauge.Track(this);
    }

    public ImmutableArray<WorkerConnection> Connections => _connections;

    /// <summary>Workers that were skipped because they failed authentication (TLS, or the access token), by worker id.</summary>
    public ImmutableDictionary<string, RefusedWorker> Refused => _refused;

    /// <summary>
    /// Raised when a worker at fault (another protocol, a failing admission policy) is taken out of
    /// the set by a call it refused, so that whoever admitted it can free its place.
    /// </summary>
    public event Action<WorkerConnection>? Evicted;

    /// <summary>Records that a worker is not used because it failed authentication (logged), so that a call finding no worker says why.</summary>
    public void Refuse(WorkerInfo worker, WorkerAuthenticationException reason, ILogger logger)
    {
        PoolLog.WorkerRefused(logger, worker.ToString(), reason.Message);
        var refused = new RefusedWorker(worker, reason);
        ImmutableInterlocked.AddOrUpdate(ref _refused, worker.Id, refused, (_, _) => refused);
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

    /// <summary>Runs a single-result call on the first worker that takes it.</summary>
    public ValueTask<RoutineReply> InvokeAsync(RoutineRequest request, CancellationToken cancellationToken)
        => DispatchAsync(request, cancellationToken, static (connection, request, cancellationToken) => new ValueTask<RoutineReply>(connection.InvokeAsync(request, cancellationToken)));

    /// <summary>Opens a stream that binds, at its first pull, to the first worker that takes it.</summary>
    public IRoutineStream OpenStream(RoutineRequest request, CancellationToken cancellationToken)
        => new FailoverRoutineStream(this, request, cancellationToken);

    /// <summary>
    /// The one failover loop, for calls and streams alike: tries the workers in the balancer's order
    /// until one takes the call. A worker that refused it before it ran is skipped (and evicted when
    /// at fault, see <see cref="DispatchFailures"/>); anything else, including a failure after a
    /// worker accepted the call, reaches the caller and is never sent again (at-most-once).
    /// </summary>
    /// <exception cref="NoWorkersAvailableException">No worker took the call; it did not run.</exception>
    public async ValueTask<T> DispatchAsync<T>(RoutineRequest request, CancellationToken cancellationToken, Func<WorkerConnection, RoutineRequest, CancellationToken, ValueTask<T>> attempt)
    {
        List<Exception>? failures = null;
        foreach (WorkerConnection connection in Order(_connections))
        {
            if (connection.OtherBuildOf(request.AssemblyName) is { } theirs)
            {
                (failures ??= []).Add(OtherBuild(connection, request, theirs));
                continue;
            }

            request.Telemetry?.Attempt(connection.Worker);
            try
            {
                return await attempt(connection, request, cancellationToken).ConfigureAwait(false);
            }
            catch (CallRejectedException e)
            {
                (failures ??= []).Add(e);
                request.Telemetry?.Refused(connection.Worker, e.Message, e.Transient, e.OtherBuild is not null);
                if (e.OtherBuild is { } build)
                {
                    connection.RunsOtherBuild(request.AssemblyName, build);
                }

                if (DispatchFailures.Classify(e) == DispatchFailure.Evict && Remove(connection))
                {
                    Evicted?.Invoke(connection);
                }
            }
        }

        throw NoneAccepted(request, failures);
    }

    public async ValueTask DisposeAsync()
    {
        WorkerGauge.Forget(this);
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

    private static CallRejectedException OtherBuild(WorkerConnection connection, RoutineRequest request, Guid theirs)
        => new($"{connection.Worker} runs build {BuildNames.Short(theirs)} of {BuildNames.Application(request.AssemblyName)}, not the caller's {BuildNames.Short(request.ModuleVersionId)}.", transient: true, otherBuild: theirs);

    /// <summary>Why no worker took the call: what each tried worker answered, and the workers skipped for failing authentication.</summary>
    private NoWorkersAvailableException NoneAccepted(RoutineRequest request, List<Exception>? failures)
    {
        ImmutableDictionary<string, RefusedWorker> refused = _refused;
        IEnumerable<Exception> all = (failures ?? []).Concat(refused.Values.Select(r => r.Reason));
        Exception? cause = all.SelectMany(e => e.Causes()).OfType<WorkerAuthenticationException>().FirstOrDefault();
        Guid[] builds = [.. (failures ?? []).OfType<CallRejectedException>().Select(e => e.OtherBuild).OfType<Guid>().Distinct()];
        string message = failures is null or []
            ? $"No worker is available to run routine '{request.RoutineName}': the pool has no running worker{(refused.IsEmpty ? "" : $" it may use; {refused.Count} failed authentication (TLS or access token, see below)")}."
            : builds.Length > 0 && failures.All(e => e is CallRejectedException { OtherBuild: not null })
                ? $"{failures.Count} worker{(failures.Count == 1 ? "" : "s")} found; none runs build {BuildNames.Short(request.ModuleVersionId)} of {BuildNames.Application(request.AssemblyName)} " +
                  $"(they run {string.Join(", ", builds.Select(BuildNames.Short))}), so routine '{request.RoutineName}' did not run. Start workers of this build, or let the deploy reach them."
                : $"No worker accepted routine '{request.RoutineName}'; it did not run.";
        return new NoWorkersAvailableException(message, [.. all.Select(e => e.Message)], cause);
    }
}
