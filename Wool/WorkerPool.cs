using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Wool.Discovery;
using Wool.Routines;
using Wool.Security;
using Wool.Workers.Client;
using Wool.Workers.Pool;

namespace Wool;

/// <summary>
/// A pool of worker processes on this machine. <c>await using var pool = new WorkerPool(spawn: 4);</c>
/// starts four workers; every routine called in this async flow (and the tasks it starts) runs on
/// one of them, chosen round-robin, until the pool is disposed. Routines running on a worker
/// dispatch their own nested routine calls to the pool's workers directly, worker to worker.
/// </summary>
/// <remarks>
/// <para>
/// Lifetime: the constructor returns at once and the workers start in the background; the first
/// call waits for them (<see cref="WaitForWorkersAsync"/> waits explicitly). Disposal refuses new
/// calls, lets in-flight calls finish for <see cref="WorkerPoolOptions.ShutdownGracePeriod"/>,
/// cancels what is left, and ends every worker process; workers also exit on their own within
/// seconds if this process dies, even by SIGKILL.
/// </para>
/// <para>
/// Failure: a call that no worker accepted fails with <see cref="NoWorkersAvailableException"/>
/// and did not run; a call whose worker died fails with <see cref="WorkerLostException"/> and is
/// never retried (at-most-once). The pool keeps serving with the workers that remain.
/// </para>
/// <para>
/// Security: with <see cref="WorkerPoolOptions.Credentials"/>, every connection is TLS (mutual by
/// default) and a worker that fails authentication is skipped and logged, never used; its
/// <see cref="WorkerAuthenticationException"/> reaches callers when no other worker can take a call.
/// Rotated credential files are adopted without a restart.
/// </para>
/// <para>Threading: all members are thread-safe.</para>
/// </remarks>
public sealed class WorkerPool : RoutinePool
{
    private readonly WorkerPoolOptions _options;
    private readonly WorkerSet _workers;
    private readonly SpawnedWorkers? _spawned;
    private readonly DiscoveredWorkers? _discovered;
    private readonly PoolReadiness _readiness;
    private readonly CancellationTokenSource _disposing = new();
    private readonly IDisposable? _rotation;

    /// <summary>Creates the pool, makes it ambient for the calling async flow, and starts its workers.</summary>
    /// <param name="spawn">
    /// How many worker processes to start: by default one per processor, or none when
    /// <paramref name="discovery"/> is given (the pool then uses discovered workers only).
    /// </param>
    /// <param name="discovery">Where to find workers started elsewhere (a durable worker, another machine); null for none.</param>
    /// <param name="options">Logging, start, shutdown, tags, lease, quorum and balancing; <see cref="WorkerPoolOptions.Default"/> when null.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="spawn"/> is negative, or zero without discovery.</exception>
    /// <exception cref="ArgumentException">The options contradict each other or the pool's mode (for example a lease without discovery).</exception>
    /// <exception cref="UnsafeLocationException">
    /// A local discovery namespace's folder could be read or replaced by another user. (The same
    /// problem with the folder of spawned workers' sockets fails <see cref="WaitForWorkersAsync"/> and the calls.)
    /// </exception>
    public WorkerPool(int? spawn = null, IWorkerDiscovery? discovery = null, WorkerPoolOptions? options = null)
    {
        int count = spawn ?? (discovery is null ? Environment.ProcessorCount : 0);
        if (count < 0 || (count == 0 && discovery is null))
        {
            throw new ArgumentOutOfRangeException(nameof(spawn), count, "A pool spawns at least one worker: pass spawn: 1 or more, leave it out for one worker per processor, or pass a discovery to use workers started elsewhere.");
        }

        _options = options ?? WorkerPoolOptions.Default;
        if (discovery is ILoggingDiscovery logging && _options.LoggerFactory is { } loggers)
        {
            logging.UseLoggerIfNone(loggers.CreateLogger(discovery.GetType().FullName!));
        }

        if (discovery is DnsDiscovery or EtcdDiscovery or LanDiscovery && _options.AccessTokenFile is not null && _options.Credentials is null)
        {
            // Whoever can answer DNS, write etcd or announce on the LAN chooses the addresses dialled:
            // a token sent in clear to them would hand the workers to that party.
            throw new ArgumentException(
                $"An access token would be sent in clear to every address {discovery.GetType().Name} names, and whoever can write those records chooses them: " +
                "give the pool TLS credentials (Credentials) instead of AccessTokenFile, or use LocalDiscovery or a StaticDiscovery list for token-protected workers.", nameof(options));
        }

        if (discovery is StaticDiscovery or DnsDiscovery && _options.Tags.Count > 0)
        {
            throw new ArgumentException($"The workers of a {(discovery is StaticDiscovery ? "static list" : "DNS name")} announce no tags, so a pool with Tags would use none of them: remove Tags, or use a discovery whose workers announce tags.", nameof(options));
        }

        int quorum = _options.Validate(count, discovery is not null);
        Size = count;
        ILogger logger = _options.LoggerFactory?.CreateLogger("Wool.WorkerPool") ?? NullLogger.Instance;
        if (_options.LoggerFactory is { } telemetryLoggers && Telemetry.TelemetryLog.Logger == NullLogger.Instance)
        {
            // A failing telemetry listener in this process is reported through the first pool's logging.
            Telemetry.TelemetryLog.Logger = telemetryLoggers.CreateLogger("Wool.Telemetry");
        }
        // A local namespace's workers require its access token; read (or made) now, so that a
        // folder another user controls fails the pool here, before anything is dialled.
        var discoveredDialer = new GrpcDialer(logger, _options.KeepAlive, _options.AccessTokenFile is { } file ? Security.AccessToken.ReadOrCreate(file) : (discovery as LocalDiscovery)?.AccessToken, maxValueSize: _options.Limits.MaxMessageSize);
        // Streamed arguments are serialized before a link is chosen: allow this pool's limit (each link applies its own).
        Serialization.WoolSerializer.AllowValuesUpTo(_options.Limits.MaxMessageSize);
        Serialization.WoolSerializer.AllowDepthUpTo(_options.Limits.MaxValueDepth);
        // Replies are rebuilt under the same type rules as calls: the types this pool may receive.
        Serialization.WoolSerializer.Allow(_options.AllowedTypes);
        _workers = new WorkerSet(_options.LoadBalancer);
        // A worker that joins may complete the quorum (the readiness is made just below; it checks again when asked).
        _spawned = count > 0 ? new SpawnedWorkers(count, quorum, _options, _workers, logger, () => _readiness?.Check(), _disposing.Token) : null;
        _readiness = new PoolReadiness(_spawned?.Started ?? Task.CompletedTask, quorum, _options.QuorumTimeout, _workers, discovery is ILoggingDiscovery told ? () => told.LastFailure : null);
        if (discovery is not null)
        {
            _discovered = new DiscoveredWorkers(discovery, _options, _workers, discoveredDialer, logger, _readiness.Check);
        }

        _rotation = _options.Credentials?.Subscribe(
            rotated =>
            {
                // Every connection moves to the new credentials, and the workers they may now authenticate are tried again.
                _workers.Rotate(rotated);
                if (!_disposing.IsCancellationRequested)
                {
                    _discovered?.RetryRefused();
                }
            },
            failed => PoolLog.CredentialsNotReloaded(logger, failed.Message));
        Serialization.SerializerWarmUp.Start();
        EnterScope();
    }

    /// <summary>The workers this pool spawned, with their tokens; null when it spawns none.</summary>
    internal SpawnedWorkers? Spawned => _spawned;

    /// <summary>How many workers the pool spawned itself.</summary>
    public int Size { get; }

    /// <summary>The workers the pool currently dispatches to (a worker that died is no longer listed).</summary>
    public IReadOnlyList<WorkerInfo> Workers => [.. _workers.Connections.Select(c => c.Worker)];

    /// <summary>Asks a worker of this pool how busy it is and how long it has been idle (zero while busy).</summary>
    /// <exception cref="ArgumentException">The worker is not one this pool uses.</exception>
    public async Task<WorkerStatus> GetStatusAsync(WorkerInfo worker, CancellationToken cancellationToken = default)
    {
        var reply = await ConnectionTo(worker).GetStatusAsync(cancellationToken).ConfigureAwait(false);
        return new WorkerStatus(reply.InFlight, TimeSpan.FromMilliseconds(reply.IdleMilliseconds), reply.Stopping);
    }

    /// <summary>
    /// Asks a worker to stop: it refuses new calls at once (the pool sends them elsewhere), lets
    /// in-flight calls finish for <paramref name="grace"/>, cancels the rest, then exits — for
    /// example to retire a worker that has been idle. Returns once the worker has closed its connection.
    /// </summary>
    /// <exception cref="ArgumentException">The worker is not one this pool uses.</exception>
    public async Task StopWorkerAsync(WorkerInfo worker, TimeSpan grace, CancellationToken cancellationToken = default)
    {
        WorkerConnection connection = ConnectionTo(worker);
        // A spawned worker stopped on purpose is not replaced: the pool runs one fewer.
        _spawned?.Retire(worker.Id);
        await connection.StopWorkerAsync(grace, cancellationToken).ConfigureAwait(false);
        await connection.Closed.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Waits until every spawned worker serves. Throws what prevented a worker from starting.</summary>
    public Task WaitForWorkersAsync(CancellationToken cancellationToken = default)
        => (_spawned?.Started ?? Task.CompletedTask).WaitAsync(cancellationToken);

    // Once the pool is ready, a call goes straight to the workers, without a state machine of its own.
    private protected override ValueTask<RoutineReply> InvokeCoreAsync(RoutineRequest request, CancellationToken cancellationToken)
        => _readiness.IsReady ? _workers.InvokeAsync(request, cancellationToken) : InvokeWhenReadyAsync(request, cancellationToken);

    private protected override IRoutineStream OpenStreamCore(RoutineRequest request, CancellationToken cancellationToken)
        => _readiness.IsReady
            ? _workers.OpenStream(request, cancellationToken)
            : new DeferredRoutineStream(token => _readiness.WaitAsync(request, token), () => _workers.OpenStream(request, cancellationToken));

    private protected override async ValueTask DisposeCoreAsync()
    {
        _rotation?.Dispose();
        await _disposing.CancelAsync().ConfigureAwait(false);
        try
        {
            // No worker is admitted from now on. The workers the pool spawned are stopped, with the
            // grace period; discovered workers serve others and are only let go of, once the
            // spawned ones have drained, so their calls in flight have the grace period too.
            if (_discovered is not null)
            {
                await _discovered.StopFollowingAsync().ConfigureAwait(false);
            }

            if (_spawned is not null)
            {
                await _spawned.StopAsync(_options.ShutdownGracePeriod).ConfigureAwait(false);
            }
        }
        finally
        {
            if (_discovered is not null)
            {
                await _discovered.DisposeAsync().ConfigureAwait(false);
            }

            await _workers.DisposeAsync().ConfigureAwait(false);
            _disposing.Dispose();
        }
    }

    private async ValueTask<RoutineReply> InvokeWhenReadyAsync(RoutineRequest request, CancellationToken cancellationToken)
    {
        await _readiness.WaitAsync(request, cancellationToken).ConfigureAwait(false);
        return await _workers.InvokeAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private WorkerConnection ConnectionTo(WorkerInfo worker)
        => _workers.Connections.FirstOrDefault(c => c.Worker.Id == worker.Id)
           ?? throw new ArgumentException($"{worker} is not a worker of this pool (it may have left or been lost).", nameof(worker));
}
