using Microsoft.Extensions.Logging;
using Wool.Discovery;
using Wool.Security;
using Wool.Workers.Client;

namespace Wool.Workers.Pool;

/// <summary>
/// The workers a pool uses by name, as discovery or a worker's peer list names them: one
/// connection per worker id, at most <c>lease</c> at once (the others wait, in the order they
/// appeared, and take the place of one that is dropped, lost or refused). A worker that fails
/// authentication is remembered by the <see cref="WorkerSet"/> as refused and tried again when its
/// announcement changes or the credentials rotate (<see cref="RetryRefused"/>). Thread-safe.
/// </summary>
internal sealed class WorkerRoster : IAsyncDisposable
{
    private readonly WorkerSet _set;
    private readonly IWorkerDialer _dialer;
    private readonly ILogger _logger;
    private readonly WorkerCredentials? _credentials;
    private readonly int? _lease;
    private readonly bool _useWhileConnecting;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, WorkerConnection> _connected = new(StringComparer.Ordinal);
    private readonly HashSet<WorkerConnection> _retiring = [];
    private readonly OrderedDictionary<string, WorkerInfo> _waiting = new(StringComparer.Ordinal);
    private bool _disposed;

    /// <param name="set">Where connected workers take calls.</param>
    /// <param name="dialer">How to connect.</param>
    /// <param name="logger">Where refusals are logged.</param>
    /// <param name="credentials">TLS credentials (their current generation is used for each new connection); null for none.</param>
    /// <param name="lease">The most workers connected at once; null for no limit.</param>
    /// <param name="useWhileConnecting">
    /// Whether a worker takes calls while its connection is being made (a worker's peers: the call
    /// right after a peer list must find them) or only once it passed the handshake (discovered
    /// workers: discovery is a hint, not trust).
    /// </param>
    public WorkerRoster(WorkerSet set, IWorkerDialer dialer, ILogger logger, WorkerCredentials? credentials, int? lease, bool useWhileConnecting)
    {
        _set = set;
        _dialer = dialer;
        _logger = logger;
        _credentials = credentials;
        _lease = lease;
        _useWhileConnecting = useWhileConnecting;
        // A worker evicted for a fault frees its place for a waiting one.
        _set.Evicted += evicted => Release(evicted.Worker.Id, evicted);
    }

    /// <summary>Raised when a worker's admission ended: it takes calls, or it was refused or lost first.</summary>
    public event Action? Changed;

    /// <summary>Takes a discovery event: an added or updated worker is connected (or waits for a place), a dropped one let go.</summary>
    public void Apply(DiscoveryEvent change)
    {
        string id = change.Worker.Id;
        if (change.Kind == DiscoveryEventKind.Dropped)
        {
            lock (_lock)
            {
                _waiting.Remove(id);
            }

            Release(id);
            _set.Forget(id);
        }
        else
        {
            lock (_lock)
            {
                // A connected worker keeps its connection; a refused one waits for a changed announcement.
                if (!_connected.ContainsKey(id))
                {
                    if (change.Kind == DiscoveryEventKind.Updated)
                    {
                        _set.Forget(id);
                    }

                    if (!_set.Refused.ContainsKey(id))
                    {
                        _waiting[id] = change.Worker;
                    }
                }
            }
        }

        Fill();
    }

    /// <summary>Makes the roster exactly <paramref name="workers"/> (a worker's peer list): new ones are connected, the others let go.</summary>
    public void Replace(IReadOnlyCollection<WorkerInfo> workers)
    {
        var wanted = new HashSet<string>(workers.Select(w => w.Id), StringComparer.Ordinal);
        List<string> gone;
        lock (_lock)
        {
            gone = [.. _connected.Keys.Concat(_set.Refused.Keys).Where(id => !wanted.Contains(id))];
            foreach (string id in _waiting.Keys.Where(id => !wanted.Contains(id)).ToList())
            {
                _waiting.Remove(id);
            }
        }

        foreach (string id in gone)
        {
            Release(id);
            _set.Forget(id);
        }

        foreach (WorkerInfo worker in workers)
        {
            Apply(new DiscoveryEvent(DiscoveryEventKind.Added, worker));
        }
    }

    /// <summary>Dials again the workers refused for failing authentication (the credentials rotated: they may pass now).</summary>
    public void RetryRefused()
    {
        foreach (RefusedWorker refused in _set.Refused.Values)
        {
            _set.Forget(refused.Worker.Id);
            lock (_lock)
            {
                // A refused worker's connection was let go when it was refused; one connected
                // since (its announcement changed) is kept.
                if (!_connected.ContainsKey(refused.Worker.Id))
                {
                    _waiting[refused.Worker.Id] = refused.Worker;
                }
            }
        }

        Fill();
    }

    public async ValueTask DisposeAsync()
    {
        WorkerConnection[] connections;
        lock (_lock)
        {
            _disposed = true;
            connections = [.. _connected.Values, .. _retiring];
            _connected.Clear();
            _retiring.Clear();
            _waiting.Clear();
        }

        foreach (WorkerConnection connection in connections)
        {
            _set.Remove(connection);
        }

        await Task.WhenAll(connections.Select(c => c.DisposeAsync().AsTask())).ConfigureAwait(false);
    }

    /// <summary>Connects waiting workers, in the order they appeared, while the lease has room.</summary>
    private void Fill()
    {
        List<WorkerConnection> admitted = [];
        try
        {
            lock (_lock)
            {
                while (!_disposed && _waiting.Count > 0 && (_lease is not { } lease || _connected.Count < lease))
                {
                    (string id, WorkerInfo worker) = _waiting.GetAt(0);
                    _waiting.RemoveAt(0);
                    if (!_connected.ContainsKey(id) && Dial(worker) is { } connection)
                    {
                        _connected[id] = connection;
                        admitted.Add(connection);
                    }
                }
            }
        }
        finally
        {
            foreach (WorkerConnection connection in admitted)
            {
                _ = AdmitAsync(connection);
            }
        }
    }

    /// <summary>Opens a connection to <paramref name="worker"/>; null, logged, when it cannot even be dialled (say, an address no transport can reach).</summary>
    private WorkerConnection? Dial(WorkerInfo worker)
    {
        try
        {
            var connection = new WorkerConnection(worker, _dialer, _logger, _credentials?.Current);
            connection.Lost += (lost, _) => Release(lost.Worker.Id, lost);
            return connection;
        }
        catch (Exception e)
        {
            PoolLog.WorkerNotDialled(_logger, worker.ToString(), e.Message);
            return null;
        }
    }

    /// <summary>
    /// Lets a connected worker take calls once it passed the handshake (or at once, for peers).
    /// Only the worker's current connection counts: one let go meanwhile is neither used nor
    /// recorded as refused over a newer one.
    /// </summary>
    private async Task AdmitAsync(WorkerConnection connection)
    {
        string id = connection.Worker.Id;
        if (_useWhileConnecting)
        {
            _set.Add(connection);
        }

        WorkerAuthenticationException? refusal = null;
        bool usable;
        try
        {
            await connection.Established.ConfigureAwait(false);
            usable = connection.IsAlive;
        }
        catch (WorkerAuthenticationException e)
        {
            refusal = e;
            usable = false;
        }
        catch (Exception)
        {
            // Lost before it answered: its Lost event lets it go.
            usable = false;
        }

        lock (_lock)
        {
            bool current = _connected.TryGetValue(id, out WorkerConnection? now) && now == connection;
            if (usable && current && !_useWhileConnecting)
            {
                _set.Add(connection);
            }
            else if (refusal is not null && (current || now is null))
            {
                _set.Refuse(connection.Worker, refusal, _logger);
            }
        }

        if (!usable)
        {
            // Its place is free again (a refused worker is tried again after a rotation).
            Release(id, connection);
        }

        Changed?.Invoke();
    }

    /// <summary>Lets go of a worker; with <paramref name="only"/>, only if that is still its connection (a newer one may have replaced it).</summary>
    private void Release(string id, WorkerConnection? only = null)
    {
        WorkerConnection? connection;
        lock (_lock)
        {
            if (!_connected.TryGetValue(id, out connection) || (only is not null && connection != only))
            {
                return;
            }

            _connected.Remove(id);
        }

        // Out of the set first (no new call goes to it); the calls it accepted finish before it closes,
        // or when the roster is disposed, whichever comes first (a retiring connection never outlives its pool).
        _set.Remove(connection);
        lock (_lock)
        {
            _retiring.Add(connection);
        }

        _ = connection.RetireAsync().ContinueWith(
            (_, state) =>
            {
                var (roster, retired) = ((WorkerRoster, WorkerConnection))state!;
                lock (roster._lock)
                {
                    roster._retiring.Remove(retired);
                }
            },
            (this, connection),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        Fill();
    }
}
