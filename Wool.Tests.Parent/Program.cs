using Wool;

// Prints the worker process ids on one line, then waits until it is killed.
await using var pool = new WorkerPool(spawn: 2);
await pool.WaitForWorkersAsync();
Console.WriteLine(string.Join(",", pool.Workers.Select(w => w.ProcessId)));
await Task.Delay(Timeout.Infinite);
