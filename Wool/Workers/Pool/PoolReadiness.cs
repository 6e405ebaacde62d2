using Wool.Routines;


namespace Wool.Workers.Pool;

/// <summary>
/// When a pool may dispatch: once the workers it spawns serve and, for its first calls, once it
/// has its quorum of workers (a worker refused for failing authentication counts, so that a call
/// fails at once, saying why, instead of waiting out the timeout for a worker that will never be
/// usable). Thread-safe.
/// </summary>
/// <param name="started">Completes when the pool's spawned workers serve.</param>
/// <param name="quorum">How many workers the first calls wait for.</param>
/// <param name="quorumTimeout">How long they wait.</param>
/// <param name="workers">The pool's workers.</param>
/// <param name="discoveryFailure">Why discovery cannot read its server now, if it can tell (named when the quorum is not reached).</param>
internal sealed class PoolReadiness(Task started, int quorum, TimeSpan quorumTimeout, WorkerSet workers, Func<string?>? discoveryFailure = null)
{
    private readonly TaskCompletionSource _quorumReached = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Whether calls may go straight to the workers: the quorum joined (the other spawned workers may still be starting).</summary>
    public bool IsReady => _quorumReached.Task.IsCompleted;

    /// <summary>Notes the quorum once the pool has it; called whenever its workers change.</summary>
    public void Check()
    {
        if (workers.Connections.Length + workers.Refused.Count >= quorum)
        {
            _quorumReached.TrySetResult();
        }
    }

    /// <summary>Waits until the pool is ready for <paramref name="request"/>, within the call's dispatch timeout if it has one.</summary>
    /// <exception cref="NoWorkersAvailableException">The workers did not start in time, or the quorum was not reached.</exception>
    public async Task WaitAsync(RoutineRequest request, CancellationToken cancellationToken)
    {
        await WaitForReadyAsync(request, cancellationToken).ConfigureAwait(false);
        // The time before this event was spent waiting for workers, not on one.
        request.Telemetry?.Event("wool.workers.ready");
    }

    private async Task WaitForReadyAsync(RoutineRequest request, CancellationToken cancellationToken)
    {
        Check();
        if (!_quorumReached.Task.IsCompleted && !started.IsCompleted)
        {
            // The quorum may join before every spawned worker serves; a start that fails first says why.
            await WaitForStartAsync(request, cancellationToken).ConfigureAwait(false);
        }

        if (_quorumReached.Task.IsCompleted)
        {
            return;
        }

        if (started.IsFaulted)
        {
            await ThrowStartFailureAsync(request).ConfigureAwait(false);
        }

        Check();
        if (!_quorumReached.Task.IsCompleted)
        {
            try
            {
                await _quorumReached.Task.WaitAsync(quorumTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                throw new NoWorkersAvailableException(
                    $"Routine '{request.RoutineName}' did not run: the pool waited {quorumTimeout.TotalSeconds:0.#} s for {quorum} worker(s) and has {workers.Connections.Length}" +
                    (discoveryFailure?.Invoke() is { } failure ? $"; discovery: {failure}." : "."), []);
            }
        }
    }

    /// <summary>Waits until the quorum joins or the spawned workers' start ends, within the call's dispatch timeout if it has one.</summary>
    private async Task WaitForStartAsync(RoutineRequest request, CancellationToken cancellationToken)
    {
        Task either = Task.WhenAny(_quorumReached.Task, started);
        try
        {
            if (request.DispatchTimeout is { } timeout)
            {
                await either.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await either.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (TimeoutException) when (request.DispatchTimeout is { } timeout)
        {
            throw new NoWorkersAvailableException($"No worker is available to run routine '{request.RoutineName}': the pool's workers did not start within the dispatch timeout of {timeout.TotalMilliseconds:0} ms.", []);
        }
    }

    /// <summary>Throws why the spawned workers could not start, in an exception of this call's own.</summary>
    private async Task ThrowStartFailureAsync(RoutineRequest request)
    {
        try
        {
            await started.ConfigureAwait(false);
        }
        catch (Exception e) when (OwnCopy(e, request) is { } own)
        {
            // Each call gets an exception of its own: rethrowing the start's one exception to every
            // caller (and to the pool's disposal) would rewrite its stack trace at each await.
            throw own;
        }
    }

    /// <summary>A new exception of the same meaning as the start's failure, wrapping it; null to rethrow it (a type without a copy).</summary>
    private static Exception? OwnCopy(Exception failure, RoutineRequest request) => failure switch
    {
        WorkerAuthenticationException refused => new WorkerAuthenticationException(refused.Message, refused.Failure, refused),
        _ when failure.GetType() == typeof(WoolException) => new NoWorkersAvailableException($"Routine '{request.RoutineName}' did not run: the pool's workers could not start. {failure.Message}", [], failure),
        _ => null,
    };
}
