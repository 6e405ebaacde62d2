namespace Wool.Tests.Integration.Workers;

/// <summary>
/// One 4-worker pool shared by the tests that do not stop or kill workers: starting processes is
/// the expensive part of these tests. Each test makes it ambient in its own flow.
/// </summary>
internal static class SharedWorkerPool
{
    private static readonly Lazy<WorkerPool> s_pool = new(() => CreateDetached(4));

    /// <summary>Makes the shared pool ambient for the calling test and waits until it serves.</summary>
    /// <remarks>Not an async method: an AsyncLocal set inside one would not flow back to the test.</remarks>
    public static Task<WorkerPool> UseAsync()
    {
        WorkerPool pool = s_pool.Value;
        RoutinePool.UseInThisFlow(pool);
        return ReadyAsync(pool);
    }

    private static async Task<WorkerPool> ReadyAsync(WorkerPool pool)
    {
        await pool.WaitForWorkersAsync().WaitAsync(Timeouts.Default);
        return pool;
    }

    public static ValueTask DisposeAsync() => s_pool.IsValueCreated ? s_pool.Value.DisposeAsync() : default;

    /// <summary>A pool created off the caller's flow, so it is ambient nowhere until a test says so.</summary>
    private static WorkerPool CreateDetached(int spawn)
    {
        using (ExecutionContext.SuppressFlow())
        {
            return Task.Run(() => new WorkerPool(spawn)).GetAwaiter().GetResult();
        }
    }
}
