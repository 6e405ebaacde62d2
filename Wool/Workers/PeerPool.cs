using Microsoft.Extensions.Logging;
using Wool.Routines;
using Wool.Security;

namespace Wool.Workers;

/// <summary>
/// The pool a worker's routines dispatch their nested routine calls to: the worker's peers
/// (itself included), connected directly, worker to worker. Never ambient by construction: the
/// worker makes it ambient in the flow of each call it runs. Peers are dialled with the worker's
/// own credentials, and a peer that fails authentication is skipped.
/// </summary>
internal sealed class PeerPool : RoutinePool
{
    private readonly ILogger _logger;
    private readonly WorkerCredentials? _credentials;
    private readonly WorkerSet _peers = new();
    private readonly Lock _lock = new();
    private readonly Dictionary<string, WorkerConnection> _byId = [];
    private Task _applied = Task.CompletedTask;

    public PeerPool(ILoggerFactory loggerFactory, WorkerCredentials? credentials)
    {
        _logger = loggerFactory.CreateLogger("Wool.Workers.Peers");
        _credentials = credentials;
    }

    /// <summary>Moves every peer connection to rotated credentials, and dials again the peers that failed authentication before.</summary>
    public void Rotate(CredentialSet credentials)
    {
        _peers.Rotate(credentials);
        Enqueue(RetryRefused);
    }

    private void RetryRefused()
    {
        List<WorkerConnection> replaced = [];
        lock (_lock)
        {
            foreach (RefusedWorker refused in _peers.Refused.Values)
            {
                _peers.Forget(refused.Worker.Id);
                if (_byId.Remove(refused.Worker.Id, out WorkerConnection? old))
                {
                    _peers.Remove(old);
                    replaced.Add(old);
                    Connect(refused.Worker);
                }
            }
        }

        foreach (var connection in replaced)
        {
            _ = connection.DisposeAsync().AsTask();
        }
    }

    /// <summary>Dials a peer with the worker's current credentials (called under the lock).</summary>
    private void Connect(WorkerInfo peer)
    {
        var connection = new WorkerConnection(peer, _logger, credentials: _credentials?.Current);
        _byId[peer.Id] = connection;
        _peers.Add(connection);
        _ = _peers.VerifyAsync(connection, _logger);
    }

    /// <summary>
    /// Replaces the peer list: new peers are connected, peers no longer listed are disconnected.
    /// Returns at once; updates apply in order, in the background (connecting is slow the first
    /// time, and the caller is a connection's read loop), and a nested call waits for them.
    /// </summary>
    public void SetPeers(IEnumerable<WorkerInfo> peers)
    {
        List<WorkerInfo> list = [.. peers];
        Enqueue(() => Apply(list));
    }

    /// <summary>Runs a change of the peer connections after the ones before it, off the caller's thread.</summary>
    private void Enqueue(Action update)
    {
        lock (_lock)
        {
            _applied = _applied.ContinueWith(
                _ =>
                {
                    try
                    {
                        update();
                    }
                    catch (Exception e)
                    {
                        // Nested calls must not fail for ever because one update did.
                        WorkerLog.PeersNotUpdated(_logger, e.Message);
                    }
                },
                CancellationToken.None,
                TaskContinuationOptions.None,
                TaskScheduler.Default);
        }
    }

    private void Apply(List<WorkerInfo> peers)
    {
        List<WorkerConnection> removed = [];
        lock (_lock)
        {
            var wanted = peers.ToDictionary(p => p.Id);
            foreach (var (id, connection) in _byId.Where(e => !wanted.ContainsKey(e.Key)).ToList())
            {
                _byId.Remove(id);
                _peers.Remove(connection);
                _peers.Forget(id);
                removed.Add(connection);
            }

            foreach (var (id, peer) in wanted.Where(e => !_byId.ContainsKey(e.Key)))
            {
                Connect(peer);
            }
        }

        foreach (var connection in removed)
        {
            _ = connection.DisposeAsync().AsTask();
        }
    }

    private protected override ValueTask<RoutineReply> InvokeCoreAsync(RoutineRequest request, CancellationToken cancellationToken)
    {
        Task applied = Volatile.Read(ref _applied);
        return applied.IsCompleted
            ? new(_peers.InvokeAsync(request, cancellationToken))
            : AfterAppliedAsync(applied, request, cancellationToken);
    }

    private async ValueTask<RoutineReply> AfterAppliedAsync(Task applied, RoutineRequest request, CancellationToken cancellationToken)
    {
        await applied.WaitAsync(cancellationToken).ConfigureAwait(false);
        return await _peers.InvokeAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private protected override IRoutineStream OpenStreamCore(RoutineRequest request, CancellationToken cancellationToken)
    {
        Task applied = Volatile.Read(ref _applied);
        return applied.IsCompleted
            ? _peers.OpenStream(request, cancellationToken)
            : new DeferredRoutineStream(applied, () => _peers.OpenStream(request, cancellationToken));
    }

    private protected override async ValueTask DisposeCoreAsync()
    {
        await Volatile.Read(ref _applied).ConfigureAwait(false);
        await _peers.DisposeAsync().ConfigureAwait(false);
    }
}
