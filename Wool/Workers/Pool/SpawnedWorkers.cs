using Microsoft.Extensions.Logging;
using Wool.Security;
using Wool.Workers.Client;

namespace Wool.Workers.Pool;

/// <summary>
/// The worker processes a pool starts on this machine: spawned with the pool's options, connected
/// (over TLS with the pool's credentials), told of each other as peers, then added to the pool's
/// workers, and kept at their number by a <see cref="WorkerSupervisor"/> (a worker that exits or is
/// lost is replaced, with backoff). They are the pool's to stop: <see cref="StopAsync"/> asks each
/// to drain, then reaps every process, killing those that do not exit in time. Thread-safe.
/// </summary>
internal sealed class SpawnedWorkers
{
    private readonly WorkerPoolOptions _options;
    private readonly WorkerSet _set;
    private readonly IWorkerDialer _dialer;
    private readonly ILogger _logger;
    private readonly List<WorkerProcess> _processes = [];
    private readonly List<WorkerConnection> _connections = [];
    private readonly AccessToken _accessToken = AccessToken.Generate();
    private readonly AccessToken _ownerToken = AccessToken.Generate();
    private readonly HashSet<string> _retired = [];
    private readonly WorkerSupervisor _supervisor;
    private readonly CancellationToken _stopping;
    private readonly Action _joined;
    private WorkerLaunch? _launch;
    private string[] _arguments = [];
    private ILogger? _outputLogger;
    private string? _folder;
    private int _generation;

    /// <summary>Starts <paramref name="count"/> workers in the background; <see cref="Started"/> says when they serve.</summary>
    /// <param name="count">How many.</param>
    /// <param name="quorum">How many workers the pool's first calls wait for: they start first, before the others.</param>
    /// <param name="options">The pool's options.</param>
    /// <param name="set">Where the workers take calls once they serve.</param>
    /// <param name="logger">The pool's log.</param>
    /// <param name="joined">Called each time a started worker joins <paramref name="set"/>.</param>
    /// <param name="cancellationToken">Cancelled when the pool is disposed.</param>
    public SpawnedWorkers(int count, int quorum, WorkerPoolOptions options, WorkerSet set, ILogger logger, Action joined, CancellationToken cancellationToken)
    {
        _joined = joined;
        _options = options;
        _set = set;
        _logger = logger;
        // Only this pool holds both tokens: the workers require the first of every caller (their
        // peers get it too) and take peer lists and stop requests only with the second.
        _dialer = new GrpcDialer(logger, options.KeepAlive, _accessToken, _ownerToken, options.Limits.MaxMessageSize);
        _stopping = cancellationToken;
        _supervisor = new WorkerSupervisor(this, set, logger, cancellationToken);
        // Started off the creator's flow: the pool is ambient there, and the start must not be.
        Started = Task.Run(() => StartAsync(count, quorum, cancellationToken), CancellationToken.None);
    }

    /// <summary>The token every caller of these workers presents (the pool, and the workers to each other).</summary>
    public AccessToken AccessToken => _accessToken;

    /// <summary>The token only this pool presents: its workers take peer lists and stop requests with it alone.</summary>
    public AccessToken OwnerToken => _ownerToken;

    /// <summary>Completes once every worker serves and takes calls; fails with what prevented one from starting.</summary>
    public Task Started { get; }

    /// <summary>Why some spawned workers are missing while they are replaced (empty when all serve).</summary>
    public IReadOnlyCollection<string> Replacing => _supervisor.Replacing;

    /// <summary>
    /// Asks every worker still connected to stop (refuse new calls, let in-flight calls finish for
    /// <paramref name="grace"/>, cancel the rest), waits for the processes to exit, and kills those
    /// that do not. A worker whose connection was lost has no call anyone waits for: it is ended at once.
    /// </summary>
    public async Task StopAsync(TimeSpan grace)
    {
        try
        {
            await Started.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Reported to callers already; whatever did start is stopped below.
        }

        // The pool is going away (its token is cancelled): no worker is replaced from now on.
        await _supervisor.StoppedAsync().ConfigureAwait(false);

        WorkerConnection[] connections;
        lock (_connections)
        {
            connections = [.. _connections];
        }

        // Lost before the stop (no call anyone waits for): ended at once. Those asked to stop close
        // their connections on the way out, so this is decided now, not after.
        var lost = connections.Where(c => !c.IsAlive).Select(c => c.Worker.ProcessId).ToHashSet();
        await Task.WhenAll(connections.Where(c => c.IsAlive).Select(c => StopOneAsync(c, grace))).ConfigureAwait(false);

        WorkerProcess[] processes;
        lock (_processes)
        {
            processes = [.. _processes];
        }

        await Task.WhenAll(processes.Select(p => p.WaitForExitAsync(lost.Contains(p.Info.ProcessId) ? TimeSpan.Zero : grace + TimeSpan.FromSeconds(5)))).ConfigureAwait(false);
        await Task.WhenAll(connections.Select(c => c.DisposeAsync().AsTask())).ConfigureAwait(false);
        DeleteFolder();
    }

    private static async Task StopOneAsync(WorkerConnection connection, TimeSpan grace)
    {
        try
        {
            await connection.StopWorkerAsync(grace, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            // The worker closes the connection once its calls have drained or been cancelled.
            await connection.Closed.WaitAsync(grace + TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            // Let go of the channel now: the worker's server waits for its HTTP/2 connections to
            // close before it exits, and the process would otherwise be killed at the deadline.
            await connection.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception)
        {
            // A worker that cannot be asked politely is killed when it does not exit in time.
        }
    }

    /// <summary>The worker with this id was asked to stop (retired by the user): it is not replaced.</summary>
    public void Retire(string workerId)
    {
        lock (_retired)
        {
            _retired.Add(workerId);
        }
    }

    /// <summary>Whether the worker was retired on purpose, rather than lost.</summary>
    public bool IsRetired(string workerId)
    {
        lock (_retired)
        {
            return _retired.Contains(workerId);
        }
    }

    /// <summary>
    /// Starts one worker for <paramref name="slot"/> and connects to it; returns once it accepted
    /// the connection. It is neither told of its peers nor given calls yet.
    /// </summary>
    public async Task<(WorkerProcess Process, WorkerConnection Connection)> StartOneAsync(int slot, CancellationToken cancellationToken)
    {
        // Each generation gets a new socket: a dead worker's may still be on disk.
        string listen = _folder is null ? "127.0.0.1:0" : $"unix:{Path.Combine(_folder, $"w{slot}-{Interlocked.Increment(ref _generation)}.sock")}";
        WorkerProcess process = await WorkerProcess.StartAsync(_launch! with { WorkerArguments = [.. _arguments, "--listen", listen] }, _outputLogger, _options.StartTimeout, cancellationToken).ConfigureAwait(false);
        lock (_processes)
        {
            // Owned by the pool from now on, so that disposal ends it whatever happens next.
            _processes.Add(process);
        }

        // A worker on a socket announces no scheme; it speaks TLS when the pool has credentials.
        var connection = new WorkerConnection(process.Info with { Secure = _options.Credentials is not null }, _dialer, _logger, _options.Credentials?.Current);
        lock (_connections)
        {
            _connections.Add(connection);
        }

        await connection.Established.WaitAsync(cancellationToken).ConfigureAwait(false);
        return (process, connection);
    }

    /// <summary>Tells every live worker who its peers are now (after one was replaced).</summary>
    public void TellPeers()
    {
        WorkerConnection[] live;
        lock (_connections)
        {
            live = [.. _connections.Where(c => c.IsAlive)];
        }

        WorkerInfo[] peers = [.. live.Select(c => c.Worker)];
        foreach (WorkerConnection connection in live)
        {
            connection.SetPeers(peers);
        }
    }

    /// <summary>Lets go of a worker that is gone: its connection and its process's resources.</summary>
    public async Task ForgetAsync(WorkerProcess process, WorkerConnection connection)
    {
        lock (_connections)
        {
            _connections.Remove(connection);
        }

        lock (_processes)
        {
            _processes.Remove(process);
        }

        await connection.DisposeAsync().ConfigureAwait(false);
        await process.WaitForExitAsync(TimeSpan.Zero).ConfigureAwait(false);
    }

    /// <summary>
    /// Starts the workers: those of the quorum first, then the others, each taking calls as soon as
    /// it serves. On a small machine, workers that start together share its cores, so a pool whose
    /// first calls wait for one worker (<see cref="WorkerPoolOptions.Quorum"/> 1) has it serving
    /// before the rest begin. With the default quorum (every worker), all start together.
    /// </summary>
    private async Task StartAsync(int count, int quorum, CancellationToken cancellationToken)
    {
        try
        {
            _launch = WorkerLaunch.ForThisApplication() with { Tokens = (_accessToken, _ownerToken) };
            _arguments = WorkerArguments(_options);
            // The workers' sockets go in a folder only this user can enter.
            _folder = _options.ListenOnLoopback ? null : PrivateFolder.ForPool();
            _outputLogger = _options.LoggerFactory?.CreateLogger("Wool.Workers.Output");
            int first = Math.Clamp(quorum, 1, count);
            Task[] starting = [.. Enumerable.Range(0, first).Select(slot => StartAndJoinAsync(slot, cancellationToken))];
            WorkerChannels.WarmUp();
            // A worker of this pool that fails the handshake (its certificate lacks the worker
            // identity, say) fails the pool's start with the WorkerAuthenticationException.
            await Task.WhenAll(starting).ConfigureAwait(false);
            await Task.WhenAll(Enumerable.Range(first, count - first).Select(slot => StartAndJoinAsync(slot, cancellationToken))).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            PoolLog.PoolStartFailed(_logger, e.Message);
            throw;
        }
    }

    /// <summary>Starts the worker of <paramref name="slot"/>, tells every worker of its peers (it included), and gives it calls.</summary>
    private async Task StartAndJoinAsync(int slot, CancellationToken cancellationToken)
    {
        (WorkerProcess process, WorkerConnection connection) = await StartOneAsync(slot, cancellationToken).ConfigureAwait(false);
        TellPeers();
        _set.Add(connection);
        _supervisor.Watch(slot, process, connection);
        _joined();
    }

    private void DeleteFolder()
    {
        try
        {
            if (_folder is not null)
            {
                Directory.Delete(_folder, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Only empty sockets of exited workers are left; the folder is private either way.
        }
    }

    /// <summary>The worker options that carry the pool's: admission policy, credentials, allowed types, limits, log levels, startup.</summary>
    private static string[] WorkerArguments(WorkerPoolOptions options) =>
    [
        .. options.AdmissionPolicy is { } policy ? ["--admission", policy.AssemblyQualifiedName!] : Array.Empty<string>(),
        .. options.Credentials?.ToWorkerArguments() ?? [],
        .. options.AllowedTypes.SelectMany(allowed => new[] { "--allow-type", allowed }),
        .. options.Limits.ToWorkerArguments(),
        .. options.WorkerLogLevel == LogLevel.Warning ? Array.Empty<string>() : ["--log-level", options.WorkerLogLevel.ToString()],
        .. options.WorkerLogFilters.SelectMany(filter => new[] { "--log-filter", $"{filter.Key}={filter.Value}" }),
        .. options.EffectiveWorkerStartup is { } startup ? ["--startup", startup.AssemblyQualifiedName!] : Array.Empty<string>(),
    ];
}
