using System.Collections.Concurrent;
using System.Diagnostics;

namespace Wool.Workers.Pool;

/// <summary>
/// Starts worker processes from one dedicated thread that lives as long as this process. A worker
/// asks the kernel to kill it when its parent dies (<c>PR_SET_PDEATHSIG</c>, see
/// <c>Host/ParentWatch</c>), and Linux ties that request to the thread that created the worker, not
/// to its process: a worker started from a thread-pool thread would be killed when that thread
/// retires. Thread-safe.
/// </summary>
internal static class WorkerSpawner
{
    private static readonly BlockingCollection<(ProcessStartInfo Start, TaskCompletionSource<Process> Started)> s_requests = [];
    private static readonly Lazy<Thread> s_thread = new(StartThread);

    /// <summary>Starts a process from the spawner thread.</summary>
    public static Task<Process> StartAsync(ProcessStartInfo start)
    {
        _ = s_thread.Value;
        var started = new TaskCompletionSource<Process>(TaskCreationOptions.RunContinuationsAsynchronously);
        s_requests.Add((start, started));
        return started.Task;
    }

    private static Thread StartThread()
    {
        var thread = new Thread(Run) { IsBackground = true, Name = "Wool worker spawner" };
        thread.Start();
        return thread;
    }

    private static void Run()
    {
        foreach (var (start, started) in s_requests.GetConsumingEnumerable())
        {
            try
            {
                started.SetResult(Process.Start(start) ?? throw new WoolException($"The worker process '{start.FileName}' could not be started."));
            }
            catch (Exception e)
            {
                started.SetException(e);
            }
        }
    }
}
