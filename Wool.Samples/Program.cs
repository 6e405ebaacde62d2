using Wool;

// Every [Routine] call below is serialized, executed by a worker of the ambient pool and its
// result serialized back. InProcessPool keeps that whole path inside this process.
await using var pool = new InProcessPool();

Console.WriteLine($"Add(1, 2) = {await Add(1, 2)}");

int offset = 100;
[Routine]
async Task<int> Shift(int value)
{
    await Task.Yield();
    return value + offset; // 'offset' travels with the call: closures are copied to the worker.
}

int[] shifted = await Task.WhenAll(Enumerable.Range(1, 5).Select(Shift));
Console.WriteLine($"Shift(1..5) = {string.Join(", ", shifted)}");

await foreach (int square in Squares(4))
{
    Console.WriteLine($"square: {square}");
}

Console.WriteLine($"Calls dispatched: {pool.CallCount}");

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
