using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Wool.Discovery;
using Wool.Routines;
using Wool.Security;
using Wool.Workers;

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
    private readonly ILogger _logger;
    private readonly WorkerSet _workers;
    private readonly List<WorkerProcess> _processes = [];
    private readonly List<WorkerConnection> _spawned = [];
    private readonly CancellationTokenSource _disposing = new();
    private readonly Task _started;
    private readonly Task _discovering = Task.CompletedTask;
    private readonly int _quorum;
    private readonly TaskCompletionSource _quorumReached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Dictionary<string, WorkerConnection> _discovered = new(StringComparer.Ordinal);
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
    public WorkerPool(int? spawn = null, Discovery.IWorkerDiscovery? discovery = null, WorkerPoolOptions? options = null)
    {
        int count = spawn ?? (discovery is null ? Environment.ProcessorCount : 0);
        if (count < 0 || (count == 0 && discovery is null))
        {
            throw new ArgumentOutOfRangeException(nameof(spawn), count, "A pool spawns at least one worker: pass spawn: 1 or more, leave it out for one worker per processor, or pass a discovery to use workers started elsewhere.");
        }

        _options = options ?? WorkerPoolOptions.Default;
        _quorum = ValidateOptions(count, discovery, _options);
        Size = count;
        _logger = _options.LoggerFactory?.CreateLogger("Wool.WorkerPool") ?? NullLogger.Instance;
        _workers = new WorkerSet(_options.LoadBalancer);
        _rotation = _options.Credentials?.Subscribe(
            OnRotated,
            failed => PoolLog.CredentialsNotReloaded(_logger, failed.Message));
        // Started off the creator's flow: the pool is ambient there, and the start must not be.
        _started = count > 0 ? Task.Run(() => StartWorkersAsync(count, _disposing.Token)) : Task.CompletedTask;
        if (discovery is not null)
        {
            _discovering = Task.Run(() => DiscoverAsync(discovery, _disposing.Token));
        }

        Serialization.SerializerWarmUp.Start();
        EnterScope();
    }

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
        await connection.StopWorkerAsync(grace, cancellationToken).ConfigureAwait(false);
        await connection.Closed.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private WorkerConnection ConnectionTo(WorkerInfo worker)
        => _workers.Connections.FirstOrDefault(c => c.Worker.Id == worker.Id)
           ?? throw new ArgumentException($"{worker} is not a worker of this pool (it may have left or been lost).", nameof(worker));

    /// <summary>Waits until every worker serves. Throws what prevented a worker from starting.</summary>
    public Task WaitForWorkersAsync(CancellationToken cancellationToken = default) => _started.WaitAsync(cancellationToken);

    // Once the pool is up, a call goes straight to the workers, without a state machine of its own.
    private protected override ValueTask<RoutineReply> InvokeCoreAsync(RoutineRequest request, CancellationToken cancellationToken)
        => _started.IsCompletedSuccessfully && _quorumReached.Task.IsCompleted
            ? new(_workers.InvokeAsync(request, cancellationToken))
            : InvokeWhenReadyAsync(request, cancellationToken);

    private async ValueTask<RoutineReply> InvokeWhenReadyAsync(RoutineRequest request, CancellationToken cancellationToken)
    {
        if (!_started.IsCompletedSuccessfully)
        {
            await WaitForStartAsync(request, cancellationToken).ConfigureAwait(false);
        }

        if (!_quorumReached.Task.IsCompleted)
        {
            await WaitForQuorumAsync(request, cancellationToken).ConfigureAwait(false);
        }

        return await _workers.InvokeAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private static int ValidateOptions(int spawn, Discovery.IWorkerDiscovery? discovery, WorkerPoolOptions options)
    {
        if (discovery is null && (options.Lease is not null || options.Tags.Count > 0))
        {
            throw new ArgumentException("Lease and Tags select discovered workers; this pool has no discovery. Pass a discovery, or remove them.", nameof(options));
        }

        if (options.AllowedTypes.Count > 0)
        {
            _ = Serialization.TypeAllowList.Parse(options.AllowedTypes);
        }

        if (spawn > 0 && options.Credentials is { CertificateFile: null })
        {
            throw new ArgumentException("The pool's credentials have no certificate, so the workers it spawns could not serve TLS. Give WorkerCredentials a certificate and key, or spawn no workers.", nameof(options));
        }

        if (options.Lease is <= 0)
        {
            throw new ArgumentException($"A lease of {options.Lease} admits no discovered worker. Use a positive lease, or no discovery.", nameof(options));
        }

        int quorum = options.Quorum ?? Math.Max(1, spawn);
        int reachable = discovery is null ? spawn : options.Lease is { } lease ? spawn + lease : int.MaxValue;
        if (quorum <= 0 || quorum > reachable)
        {
            throw new ArgumentException($"A quorum of {quorum} can never be reached by this pool (it can have at most {reachable} workers).", nameof(options));
        }

        return quorum;
    }

    private async Task WaitForQuorumAsync(RoutineRequest request, CancellationToken cancellationToken)
    {
        CheckQuorum();
        try
        {
            await _quorumReached.Task.WaitAsync(_options.QuorumTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new NoWorkersAvailableException(
                $"Routine '{request.RoutineName}' did not run: the pool waited {_options.QuorumTimeout.TotalSeconds:0.#} s for {_quorum} worker(s) and has {_workers.Connections.Length}.", []);
        }
    }

    // A worker refused for failing authentication counts: the first call then fails at once, saying
    // why, instead of waiting out the quorum timeout for a worker that will never be usable.
    private void CheckQuorum()
    {
        if (_workers.Connections.Length + _workers.Refused.Count >= _quorum)
        {
            _quorumReached.TrySetResult();
        }
    }

    /// <summary>Admits discovered workers (those of this protocol, sharing a tag if the pool has tags, within the lease) and lets go of dropped ones.</summary>
    private async Task DiscoverAsync(Discovery.IWorkerDiscovery discovery, CancellationToken cancellationToken)
    {
        var waiting = new Dictionary<string, WorkerInfo>(StringComparer.Ordinal);
        try
        {
            await foreach (var change in discovery.SubscribeAsync(Admissible, cancellationToken).ConfigureAwait(false))
            {
                string id = change.Worker.Id;
                if (change.Kind == Discovery.DiscoveryEventKind.Dropped)
                {
                    waiting.Remove(id);
                    Release(id);
                    _workers.Forget(id);
                }
                else if (!IsDiscovered(id))
                {
                    // A refused worker is tried again when its announcement changes, or when the pool's credentials rotate.
                    if (change.Kind == Discovery.DiscoveryEventKind.Updated)
                    {
                        _workers.Forget(id);
                    }

                    if (!_workers.Refused.ContainsKey(id))
                    {
                        waiting[id] = change.Worker;
                    }
                }

                // Fill the lease from the waiting workers, in the order they appeared.
                foreach (var worker in waiting.Values.ToList())
                {
                    if (!TryAdmit(worker))
                    {
                        break;
                    }

                    waiting.Remove(worker.Id);
                }

                CheckQuorum();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private bool IsDiscovered(string id)
    {
        lock (_discovered)
        {
            return _discovered.ContainsKey(id);
        }
    }

    /// <summary>Connects to a discovered worker unless the lease is full; it takes calls once it has passed the handshake.</summary>
    private bool TryAdmit(WorkerInfo worker)
    {
        WorkerConnection connection;
        lock (_discovered)
        {
            if (_discovered.ContainsKey(worker.Id))
            {
                return true;
            }

            if (_options.Lease is { } lease && _discovered.Count >= lease)
            {
                return false;
            }

            connection = new WorkerConnection(worker, _logger, _options.KeepAlive, _options.Credentials?.Current);
            connection.Lost += (lost, _) => Release(lost.Worker.Id, lost);
            _discovered[worker.Id] = connection;
        }

        _ = AdmitAsync(connection);
        return true;
    }

    /// <summary>Dispatches to a discovered worker once it has accepted the connection (and passed the TLS handshake).</summary>
    private async Task AdmitAsync(WorkerConnection connection)
    {
        if (await _workers.VerifyAsync(connection, _logger).ConfigureAwait(false))
        {
            _workers.Add(connection);
        }
        else
        {
            // Its lease slot is free again (a refused worker is tried again after a rotation).
            Release(connection.Worker.Id, connection);
        }

        CheckQuorum();
    }

    /// <summary>New credentials: every connection moves to them, and the workers they may now authenticate are tried again.</summary>
    private void OnRotated(CredentialSet credentials)
    {
        _workers.Rotate(credentials);
        if (_disposing.IsCancellationRequested)
        {
            return;
        }

        foreach (RefusedWorker refused in _workers.Refused.Values)
        {
            _workers.Forget(refused.Worker.Id);
            // Its failed connection may not be released yet: this one replaces it.
            Release(refused.Worker.Id);
            TryAdmit(refused.Worker);
        }
    }

    // Discovery is a hint, not trust: a worker announcing the other kind (TLS or not) is never
    // dialled, and one that announces TLS must still pass the handshake in AdmitAsync.
    private bool Admissible(WorkerInfo worker)
        => worker.ProtocolVersion == WireProtocol.Version
           && worker.Secure == (_options.Credentials is not null)
           && (_options.Tags.Count == 0 || worker.Tags.Intersect(_options.Tags, StringComparer.Ordinal).Any());

    /// <summary>Lets go of a discovered worker; with <paramref name="only"/>, only if that is still its connection (a newer one may have replaced it).</summary>
    private void Release(string id, WorkerConnection? only = null)
    {
        WorkerConnection? connection;
        lock (_discovered)
        {
            if (!_discovered.TryGetValue(id, out connection) || (only is not null && connection != only))
            {
                return;
            }

            _discovered.Remove(id);
        }

        _workers.Remove(connection);
        _ = connection.DisposeAsync().AsTask();
    }

    private async Task WaitForStartAsync(RoutineRequest request, CancellationToken cancellationToken)
    {
        if (request.DispatchTimeout is not { } timeout)
        {
            await _started.WaitAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        try
        {
            await _started.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new NoWorkersAvailableException($"No worker is available to run routine '{request.RoutineName}': the pool's workers did not start within the dispatch timeout of {timeout.TotalMilliseconds:0} ms.", []);
        }
    }

    private protected override IRoutineStream OpenStreamCore(RoutineRequest request, CancellationToken cancellationToken)
        => _started.IsCompletedSuccessfully
            ? _workers.OpenStream(request, cancellationToken)
            : new DeferredRoutineStream(_started, () => _workers.OpenStream(request, cancellationToken));

    private protected override async ValueTask DisposeCoreAsync()
    {
        _rotation?.Dispose();
        await _disposing.CancelAsync().ConfigureAwait(false);
        try
        {
            await _started.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Reported to callers already; whatever did start is stopped below.
        }

        await _discovering.ConfigureAwait(false);

        // Discovered workers are not this pool's to stop; the ones it spawned are, including any it
        // stopped dispatching to (evicted or lost).
        TimeSpan grace = _options.ShutdownGracePeriod;
        WorkerConnection[] spawned;
        lock (_spawned)
        {
            spawned = [.. _spawned];
        }

        await Task.WhenAll(spawned.Where(c => c.IsAlive).Select(c => StopAsync(c, grace))).ConfigureAwait(false);

        WorkerProcess[] processes;
        lock (_processes)
        {
            processes = [.. _processes];
        }

        // A worker whose connection was lost has no call the pool still waits for: end it at once.
        var lost = spawned.Where(c => !c.IsAlive).Select(c => c.Worker.ProcessId).ToHashSet();
        await Task.WhenAll(processes.Select(p => p.WaitForExitAsync(lost.Contains(p.Info.ProcessId) ? TimeSpan.Zero : grace + TimeSpan.FromSeconds(5)))).ConfigureAwait(false);
        await _workers.DisposeAsync().ConfigureAwait(false);
        await Task.WhenAll(spawned.Select(c => c.DisposeAsync().AsTask())).ConfigureAwait(false);
        _disposing.Dispose();
    }

    private static async Task StopAsync(WorkerConnection connection, TimeSpan grace)
    {
        try
        {
            await connection.StopWorkerAsync(grace, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            // The worker closes the connection once its calls have drained or been cancelled.
            await connection.Closed.WaitAsync(grace + TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // A worker that cannot be asked politely is killed when it does not exit in time.
        }
    }

    private async Task StartWorkersAsync(int count, CancellationToken cancellationToken)
    {
        Task<WorkerProcess>[]? starting = null;
        try
        {
            var launch = WorkerLaunch.ForThisApplication() with
            {
                WorkerArguments = [
                    .. _options.AdmissionPolicy is { } policy ? ["--admission", policy.AssemblyQualifiedName!] : Array.Empty<string>(),
                    .. _options.Credentials?.ToWorkerArguments() ?? [],
                    .. _options.AllowedTypes.SelectMany(allowed => new[] { "--allow-type", allowed }),
                ],
            };
            ILogger? outputLogger = _options.LoggerFactory?.CreateLogger("Wool.Workers.Output");
            starting = [.. Enumerable.Range(0, count).Select(_ => WorkerProcess.StartAsync(launch, outputLogger, _options.StartTimeout, cancellationToken))];
            WorkerChannels.WarmUp();
            await Task.WhenAll(starting).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            PoolLog.PoolStartFailed(_logger, e.Message);
            throw;
        }
        finally
        {
            // Whatever started is owned by the pool, so that disposal ends it even after a failure.
            lock (_processes)
            {
                foreach (var task in starting ?? [])
                {
                    if (task.IsCompletedSuccessfully)
                    {
                        _processes.Add(task.Result);
                    }
                }
            }
        }

        var workers = starting!.Select(t => t.Result.Info).ToList();
        var connections = workers.Select(worker => new WorkerConnection(worker, _logger, _options.KeepAlive, _options.Credentials?.Current)).ToList();
        lock (_spawned)
        {
            _spawned.AddRange(connections);
        }

        // A worker of this pool that fails the handshake (its certificate lacks the worker identity,
        // say) fails the pool's start with the WorkerAuthenticationException.
        await Task.WhenAll(connections.Select(c => c.Established)).ConfigureAwait(false);

        foreach (WorkerConnection connection in connections)
        {
            connection.SetPeers(workers);
        }

        foreach (WorkerConnection connection in connections)
        {
            _workers.Add(connection);
        }
    }
}
