using Microsoft.Extensions.Logging;
using Wool.Discovery;
using Wool.Routines;
using Wool.Security;
using Wool.Workers.Client;

namespace Wool.Workers.Pool;

/// <summary>
/// The pool a worker's routines dispatch their nested routine calls to: the worker's peers
/// (itself included), connected directly, worker to worker. Never ambient by construction: the
/// worker makes it ambient in the flow of each call it runs. Peers are dialled with the worker's
/// own credentials, and a peer that fails authentication is skipped.
/// </summary>
/// <remarks>
/// Changes to the peers apply in order, in the background (connecting is slow the first time, and
/// the one asking is a connection's read loop); a nested call waits for the changes made before it.
/// </remarks>
internal sealed class PeerPool : RoutinePool
{
    private readonly ILogger _logger;
    private readonly WorkerSet _peers = new();
    private readonly WorkerRoster _roster;
    private readonly Lock _lock = new();
    private Task _applied = Task.CompletedTask;

    public PeerPool(IWorkerDialer dialer, WorkerCredentials? credentials, ILogger logger)
    {
        _logger = logger;
        _roster = new WorkerRoster(_peers, dialer, logger, credentials, lease: null, useWhileConnecting: true);
    }

    /// <summary>Replaces the peer list: new peers are connected, peers no longer listed are disconnected.</summary>
    public void SetPeers(IEnumerable<WorkerInfo> peers)
    {
        List<WorkerInfo> list = [.. peers];
        Enqueue(() => _roster.Replace(list));
    }

    /// <summary>Follows the worker's own discovery: a discovered peer is connected, a dropped one let go.</summary>
    public void Apply(DiscoveryEvent change) => Enqueue(() => _roster.Apply(change));

    /// <summary>Moves every peer connection to rotated credentials, and dials again the peers that failed authentication before.</summary>
    public void Rotate(CredentialSet credentials)
    {
        _peers.Rotate(credentials);
        Enqueue(_roster.RetryRefused);
    }

    private protected override ValueTask<RoutineReply> InvokeCoreAsync(RoutineRequest request, CancellationToken cancellationToken)
    {
        Task applied = Volatile.Read(ref _applied);
        return applied.IsCompleted
            ? _peers.InvokeAsync(request, cancellationToken)
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
            : new DeferredRoutineStream(token => applied.WaitAsync(token), () => _peers.OpenStream(request, cancellationToken));
    }

    private protected override async ValueTask DisposeCoreAsync()
    {
        await Volatile.Read(ref _applied).ConfigureAwait(false);
        await _roster.DisposeAsync().ConfigureAwait(false);
        await _peers.DisposeAsync().ConfigureAwait(false);
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
                        PoolLog.PeersNotUpdated(_logger, e.Message);
                    }
                },
                CancellationToken.None,
                TaskContinuationOptions.None,
                TaskScheduler.Default);
        }
    }
}
