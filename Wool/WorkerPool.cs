using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Wool.Routines;
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
/// <para>Threading: all members are thread-safe.</para>
/// </remarks>
public sealed class WorkerPool : RoutinePool
{
    private readonly WorkerPoolOptions _options;
    private readonly ILogger _logger;
    private readonly WorkerSet _workers = new();
    private readonly List<WorkerProcess> _processes = [];
    private readonly CancellationTokenSource _disposing = new();
    private readonly Task _started;

    /// <summary>Creates the pool, makes it ambient for the calling async flow, and starts its workers.</summary>
    /// <param name="spawn">How many worker processes to start; by default one per processor.</param>
    /// <param name="options">Logging, start and shutdown settings; <see cref="WorkerPoolOptions.Default"/> when null.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="spawn"/> is zero or negative.</exception>
    public WorkerPool(int? spawn = null, WorkerPoolOptions? options = null)
    {
        int count = spawn ?? Environment.ProcessorCount;
        if (count <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(spawn), count, "A pool spawns at least one worker: pass spawn: 1 or more, or leave it out for one worker per processor.");
        }

        Size = count;
        _options = options ?? WorkerPoolOptions.Default;
        _logger = _options.LoggerFactory?.CreateLogger("Wool.WorkerPool") ?? NullLogger.Instance;
        // Started off the creator's flow: the pool is ambient there, and the start must not be.
        _started = Task.Run(() => StartWorkersAsync(count, _disposing.Token));
        Serialization.SerializerWarmUp.Start();
        EnterScope();
    }

    /// <summary>How many workers the pool started with.</summary>
    public int Size { get; }

    /// <summary>The workers the pool currently dispatches to (a worker that died is no longer listed).</summary>
    public IReadOnlyList<WorkerInfo> Workers => [.. _workers.Connections.Select(c => c.Worker)];

    /// <summary>Waits until every worker serves. Throws what prevented a worker from starting.</summary>
    public Task WaitForWorkersAsync(CancellationToken cancellationToken = default) => _started.WaitAsync(cancellationToken);

    private protected override async ValueTask<RoutineReply> InvokeCoreAsync(RoutineRequest request, CancellationToken cancellationToken)
    {
        if (!_started.IsCompletedSuccessfully)
        {
            await WaitForStartAsync(request, cancellationToken).ConfigureAwait(false);
        }

        return await _workers.InvokeAsync(request, cancellationToken).ConfigureAwait(false);
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
        await _disposing.CancelAsync().ConfigureAwait(false);
        try
        {
            await _started.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Reported to callers already; whatever did start is stopped below.
        }

        TimeSpan grace = _options.ShutdownGracePeriod;
        var connections = _workers.Connections;
        await Task.WhenAll(connections.Select(c => StopAsync(c, grace))).ConfigureAwait(false);

        WorkerProcess[] processes;
        lock (_processes)
        {
            processes = [.. _processes];
        }

        await Task.WhenAll(processes.Select(p => p.WaitForExitAsync(grace + TimeSpan.FromSeconds(5)))).ConfigureAwait(false);
        await _workers.DisposeAsync().ConfigureAwait(false);
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
            var launch = WorkerLaunch.ForThisApplication();
            ILogger? outputLogger = _options.LoggerFactory?.CreateLogger("Wool.Workers.Output");
            starting = [.. Enumerable.Range(0, count).Select(_ => WorkerProcess.StartAsync(launch, outputLogger, _options.StartTimeout, cancellationToken))];
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
        foreach (WorkerInfo worker in workers)
        {
            _workers.Add(new WorkerConnection(worker, _logger));
        }

        await Task.WhenAll(_workers.Connections.Select(c => c.SetPeersAsync(workers, cancellationToken))).ConfigureAwait(false);
    }
}
