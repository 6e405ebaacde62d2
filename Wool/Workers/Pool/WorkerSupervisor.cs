using Microsoft.Extensions.Logging;
using Wool.Workers.Client;

namespace Wool.Workers.Pool;

/// <summary>
/// Keeps a pool's spawned workers at their number. A worker whose process exits, or whose
/// connection is lost, is taken out of the pool's workers, its process ended, and a new one
/// started in its place after a delay that doubles each time a worker dies young (before
/// <see cref="Settled"/>), from <see cref="FirstDelay"/> up to <see cref="MaxDelay"/>: a worker that
/// crashes at start is retried, never in a hot loop. The calls that were running on the dead
/// worker still fail with <see cref="WorkerLostException"/> (at most once is unchanged). A worker
/// the user retired (<see cref="WorkerPool.StopWorkerAsync"/>) is not replaced. Thread-safe.
/// </summary>
internal sealed class WorkerSupervisor(SpawnedWorkers workers, WorkerSet set, ILogger logger, CancellationToken stopping)
{
    /// <summary>The delay before replacing a worker that had run for a while.</summary>
    public static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest delay between attempts, for a worker that keeps dying young.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(30);

    /// <summary>A worker that lived this long was healthy: its death starts the backoff afresh.</summary>
    public static readonly TimeSpan Settled = TimeSpan.FromSeconds(10);

    private readonly List<Task> _watching = [];
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, string> _replacing = new();

    /// <summary>Why each slot whose worker is being replaced has none (for the pool's health), by slot.</summary>
    public IReadOnlyCollection<string> Replacing => [.. _replacing.Values];

    /// <summary>Watches a slot's worker, and every worker that replaces it, until the pool stops.</summary>
    public void Watch(int slot, WorkerProcess process, WorkerConnection connection)
    {
        lock (_watching)
        {
            _watching.Add(Task.Run(() => WatchAsync(slot, process, connection), CancellationToken.None));
        }
    }

    /// <summary>Completes once every watch has ended (the pool's token is cancelled).</summary>
    public Task StoppedAsync()
    {
        lock (_watching)
        {
            return Task.WhenAll(_watching);
        }
    }

    private async Task WatchAsync(int slot, WorkerProcess process, WorkerConnection connection)
    {
        int failures = 0;
        long started = Environment.TickCount64;
        while (true)
        {
            try
            {
                // Lost, not closed: a credential rotation closes old links of a healthy worker.
                await Task.WhenAny(process.Exited, LostAsync(connection)).WaitAsync(stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            if (stopping.IsCancellationRequested || workers.IsRetired(connection.Worker.Id))
            {
                return;
            }

            // Gone, one way or the other: a process whose connection was lost is no use either.
            _replacing[slot] = $"worker {slot} is being replaced ({process.Ending ?? "its connection was lost"})";
            set.Remove(connection);
            process.Kill();
            await process.Exited.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            string ending = process.Ending ?? "its connection was lost";
            failures = Environment.TickCount64 - started < Settled.TotalMilliseconds ? failures + 1 : 0;
            await workers.ForgetAsync(process, connection).ConfigureAwait(false);

            while (true)
            {
                TimeSpan delay = Delay(failures);
                _replacing[slot] = failures > 1
                    ? $"worker {slot} died young {failures} times in a row (last: {ending}); the next attempt is in {delay.TotalSeconds:0.#} s"
                    : $"worker {slot} is being replaced ({ending})";
                PoolLog.WorkerReplacing(logger, connection.Worker.ToString(), ending, delay.TotalMilliseconds);
                try
                {
                    await Task.Delay(delay, stopping).ConfigureAwait(false);
                    started = Environment.TickCount64;
                    (process, connection) = await workers.StartOneAsync(slot, stopping).ConfigureAwait(false);
                    break;
                }
                catch (OperationCanceledException) when (stopping.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e)
                {
                    failures++;
                    ending = $"its replacement did not start ({e.Message})";
                }
            }

            workers.TellPeers();
            set.Add(connection);
            _replacing.TryRemove(slot, out _);
            PoolLog.WorkerReplaced(logger, connection.Worker.ToString());
        }
    }

    private static Task LostAsync(WorkerConnection connection)
    {
        var lost = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.Lost += (_, _) => lost.TrySetResult();
        if (!connection.IsAlive)
        {
            lost.TrySetResult();
        }

        return lost.Task;
    }

    private static TimeSpan Delay(int failures)
        => failures == 0 ? FirstDelay : TimeSpan.FromTicks(Math.Min(MaxDelay.Ticks, FirstDelay.Ticks << Math.Min(failures, 16)));
}
