using System.Diagnostics;
using Wool;

// Before the workers start: where they write the spans of the traced request below.
string traces = SampleTelemetry.Prepare();

// Four real worker processes. Every [Routine] call below is serialized, sent over gRPC to one of
// them, run there, and its result (or exception) sent back.
await using var pool = new WorkerPool(spawn: 4);

Console.WriteLine($"Add(1, 2) = {await Add(1, 2)}");

// Fan-out: the calls run concurrently and land on several worker processes.
int offset = 100;
[Routine]
async Task<(int Value, int ProcessId)> Shift(int value)
{
    await Task.Delay(50);
    return (value + offset, Environment.ProcessId); // 'offset' travels with the call: closures are copied.
}

var shifted = await Task.WhenAll(Enumerable.Range(1, 8).Select(Shift));
Console.WriteLine($"Shift(1..8) = {string.Join(", ", shifted.Select(s => s.Value))}");
Console.WriteLine($"  ran in worker processes {string.Join(", ", shifted.Select(s => s.ProcessId).Distinct().Order())} (this process is {Environment.ProcessId})");

await foreach (int square in Squares(4))
{
    Console.WriteLine($"square: {square}");
}

var watch = Stopwatch.StartNew();
Console.WriteLine($"Fibonacci(12) = {await Fibonacci(12)}, computed by nested routine calls across the workers in {watch.ElapsedMilliseconds} ms");

// Ambient context: a request-scoped tenant id travels through two hops, in one trace.
Console.WriteLine("request context:");
await RequestContext.RunAsync(traces);

// Objects travel as they are: private fields, comparers, cycles; a [NonSerialized] cache stays home.
await PriceList.RunAsync();

// Duplex streams: guessers on the workers converse with a driver routine, item by item.
await HelloWorldSolver.RunAsync("Hello world!");

[Routine]
static async Task<int> Add(int x, int y)
{
    await Task.Yield();
    return x + y;
}

[Routine]
static async IAsyncEnumerable<int> Squares(int count)
{
    for (int i = 1; i <= count; i++)
    {
        await Task.Yield();
        yield return i * i;
    }
}

[Routine]
static async Task<int> Fibonacci(int n)
{
    if (n < 2)
    {
        return n;
    }

    // Each nested call is dispatched from this worker to a worker of the same pool.
    int[] parts = await Task.WhenAll(Fibonacci(n - 1), Fibonacci(n - 2));
    return parts[0] + parts[1];
}
