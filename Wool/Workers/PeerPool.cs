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

    public PeerPool(ILoggerFactory loggerFactory, WorkerCredentials? credentials)
    {
        _logger = loggerFactory.CreateLogger("Wool.Workers.Peers");
        _credentials = credentials;
    }

    /// <summary>Moves every peer connection to rotated credentials.</summary>
    public void Rotate(CredentialSet credentials) => _peers.Rotate(credentials);

    /// <summary>Replaces the peer list: new peers are connected, peers no longer listed are disconnected.</summary>
    public void SetPeers(IEnumerable<WorkerInfo> peers)
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
                var connection = new WorkerConnection(peer, _logger, credentials: _credentials?.Current);
                _byId[id] = connection;
                _peers.Add(connection);
                _ = _peers.VerifyAsync(connection, _logger);
            }
        }

        foreach (var connection in removed)
        {
            _ = connection.DisposeAsync().AsTask();
        }
    }

    private protected override ValueTask<RoutineReply> InvokeCoreAsync(RoutineRequest request, CancellationToken cancellationToken)
        => new(_peers.InvokeAsync(request, cancellationToken));

    private protected override IRoutineStream OpenStreamCore(RoutineRequest request, CancellationToken cancellationToken)
        => _peers.OpenStream(request, cancellationToken);

    private protected override ValueTask DisposeCoreAsync() => _peers.DisposeAsync();
}
