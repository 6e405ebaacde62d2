using Microsoft.Extensions.Logging;
using Wool.Routines;
using Wool.Security;
using Wool.Workers.Protocol;

namespace Wool.Workers.Client;

/// <summary>
/// A caller's connection to one worker, for the worker's lifetime. Calls travel on its current
/// <see cref="WorkerLink"/>. When the credentials rotate, the connection opens a new link with
/// them and moves new calls there once the worker has accepted it; the calls already running
/// finish on the old link, which then closes. The connection is lost when its current link is.
/// Thread-safe.
/// </summary>
internal sealed class WorkerConnection : IAsyncDisposable
{
    private static readonly TimeSpan MaxRotationRetryDelay = TimeSpan.FromSeconds(30);

    private readonly IWorkerDialer _dialer;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly List<Task> _retiring = [];
    private WorkerLink _link;
    private CancellationTokenSource? _rotation;
    private bool _disposed;

    /// <summary>Connects to <paramref name="worker"/> at once (in the background), over TLS with <paramref name="credentials"/> when given.</summary>
    public WorkerConnection(WorkerInfo worker, IWorkerDialer dialer, ILogger logger, CredentialSet? credentials = null)
    {
        Worker = worker;
        _dialer = dialer;
        _logger = logger;
        Credentials = credentials;
        _link = Open(credentials);
    }

    public WorkerInfo Worker { get; }

    // Assemblies this worker runs another build of, learned from its refusals: it is no candidate
    // for their calls, and is not asked again (a rolling deploy must not cost a round trip per call).
    private System.Collections.Concurrent.ConcurrentDictionary<string, Guid>? _otherBuilds;

    /// <summary>This worker's build of <paramref name="assemblyName"/> when it refused a call for running another; null otherwise.</summary>
    public Guid? OtherBuildOf(string assemblyName)
        => _otherBuilds is { } known && known.TryGetValue(assemblyName, out Guid build) ? build : null;

    /// <summary>Remembers that this worker runs build <paramref name="build"/> of <paramref name="assemblyName"/>, not the caller's.</summary>
    public void RunsOtherBuild(string assemblyName, Guid build)
        => LazyInitializer.EnsureInitialized(ref _otherBuilds, static () => new(StringComparer.Ordinal))[assemblyName] = build;

    /// <summary>The credentials generation this connection uses, or is moving to; null without TLS.</summary>
    public CredentialSet? Credentials { get; private set; }

    public bool IsAlive => Link.IsAlive;

    /// <summary>Raised once, when the connection is lost (not when it is disposed).</summary>
    public event Action<WorkerConnection, Exception>? Lost;

    /// <summary>Completes once the worker has accepted the connection; fails with <see cref="WorkerAuthenticationException"/> when the handshake did not authenticate.</summary>
    public Task Established => Link.Established;

    /// <summary>Completes when the worker has closed its side of the connection (or it broke).</summary>
    public Task Closed => Link.Closed;

    private WorkerLink Link => Volatile.Read(ref _link);

    public Task<RoutineReply> InvokeAsync(RoutineRequest request, CancellationToken cancellationToken) => Link.InvokeAsync(request, cancellationToken);

    public IRoutineStream OpenStream(RoutineRequest request, CancellationToken cancellationToken) => Link.OpenStream(request, cancellationToken);

    public void SetPeers(IEnumerable<WorkerInfo> peers) => Link.SetPeers(peers);

    public Task StopWorkerAsync(TimeSpan grace, CancellationToken cancellationToken) => Link.StopWorkerAsync(grace, cancellationToken);

    public Task<StatusReply> GetStatusAsync(CancellationToken cancellationToken) => Link.GetStatusAsync(cancellationToken);

    /// <summary>
    /// Moves to <paramref name="credentials"/>: a new link is opened and, once the worker accepts
    /// it, takes the new calls. Until then (the worker may rotate later than this side; the new
    /// link is retried with a growing delay) calls stay on the current link. A newer rotation
    /// supersedes this one.
    /// </summary>
    public void Rotate(CredentialSet credentials)
    {
        CancellationTokenSource rotation;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _rotation?.Cancel();
            _rotation?.Dispose();
            _rotation = rotation = new CancellationTokenSource();
            Credentials = credentials;
        }

        _ = RotateAsync(credentials, rotation.Token);
    }

    /// <summary>
    /// Takes no new calls and closes once the calls running on it have ended: a worker that left
    /// discovery (draining, or removed from its records) finishes what it accepted.
    /// </summary>
    public async Task RetireAsync()
    {
        await Link.RetireAsync().ConfigureAwait(false);
        await DisposeAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        Task[] retiring;
        lock (_lock)
        {
            _disposed = true;
            _rotation?.Cancel();
            _rotation?.Dispose();
            _rotation = null;
            retiring = [.. _retiring];
        }

        await Link.DisposeAsync().ConfigureAwait(false);
        await Task.WhenAll(retiring).ConfigureAwait(false);
    }

    private WorkerLink Open(CredentialSet? credentials)
    {
        WorkerLink link = _dialer.Dial(Worker, credentials);
        link.Lost += OnLinkLost;
        return link;
    }

    private void OnLinkLost(WorkerLink link, Exception reason)
    {
        if (link == Link)
        {
            Lost?.Invoke(this, reason);
        }
    }

    private async Task RotateAsync(CredentialSet credentials, CancellationToken cancellationToken)
    {
        TimeSpan delay = TimeSpan.FromSeconds(1);
        while (!cancellationToken.IsCancellationRequested && Link.IsAlive)
        {
            WorkerLink next = Open(credentials);
            try
            {
                await next.Established.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                await next.DisposeAsync().ConfigureAwait(false);
                if (cancellationToken.IsCancellationRequested)
                {
                    return;
                }

                ClientLog.RotationPending(_logger, Worker.ToString(), e.Message, delay.TotalSeconds);
                try
                {
                    await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRotationRetryDelay.Ticks));
                continue;
            }

            WorkerLink old;
            lock (_lock)
            {
                if (_disposed || cancellationToken.IsCancellationRequested || !_link.IsAlive)
                {
                    old = next;
                }
                else
                {
                    old = _link;
                    Volatile.Write(ref _link, next);
                    ClientLog.Rotated(_logger, Worker.ToString());
                }

                _retiring.RemoveAll(t => t.IsCompleted);
                _retiring.Add(old.RetireAsync());
            }

            return;
        }
    }
}
