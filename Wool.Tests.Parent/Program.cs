using Wool;
using Wool.Discovery;

if (args is ["lan", var ns])
{
    await using var lanPool = new WorkerPool(discovery: new LanDiscovery(ns), options: WorkerPoolOptions.Default with { QuorumTimeout = TimeSpan.FromSeconds(20) });
    Console.WriteLine($"ran on {await Where()} from {Environment.ProcessId}");
    return;
}

// Prints the worker process ids on one line, then waits until it is killed.
await using var pool = new WorkerPool(spawn: 2);
await pool.WaitForWorkersAsync();
Console.WriteLine(string.Join(",", pool.Workers.Select(w => w.ProcessId)));
await Task.Delay(Timeout.Infinite);

[Routine]
static async Task<int> Where()
{
    await Task.Yield();
    return Environment.ProcessId;
}
