using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Wool.Tests.Workers.InMemory;

/// <summary>Routines that in-memory workers run in the test process, where a test can watch what they did.</summary>
internal static class InMemoryRoutines
{
    /// <summary>Items each stream produced, by key: a worker that ran ahead of its credit shows here.</summary>
    public static readonly ConcurrentDictionary<string, int> Produced = new();

    /// <summary>Keys whose routine's finally block ran.</summary>
    public static readonly ConcurrentDictionary<string, bool> Finished = new();

    public static readonly WoolContextVar<string> Tenant = new("wool.tests.in-memory.tenant", "none");

    [Routine]
    public static async Task<int> Add(int x, int y)
    {
        await Task.Yield();
        return x + y;
    }

    [Routine]
    public static async Task<int> Fail(string message)
    {
        await Task.Yield();
        throw new InvalidOperationException(message);
    }

    [Routine]
    public static async Task<int> AddOnPeer(int x, int y)
    {
        await Task.Yield();
        return await Add(x, y);
    }

    /// <summary>Waits until cancelled; its finally block marks <paramref name="key"/>.</summary>
    [Routine]
    public static async Task<int> WaitForCancellation(string key, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return 0;
        }
        finally
        {
            Finished[key] = true;
        }
    }

    /// <summary>Counts each item it produces under <paramref name="key"/>; its finally block marks the key.</summary>
    [Routine]
    public static async IAsyncEnumerable<int> Counted(string key, int count)
    {
        try
        {
            for (int i = 0; i < count; i++)
            {
                await Task.Yield();
                Produced.AddOrUpdate(key, 1, (_, n) => n + 1);
                yield return i;
            }
        }
        finally
        {
            Finished[key] = true;
        }
    }

    /// <summary>Yields the caller's tenant as each step sees it.</summary>
    [Routine]
    public static async IAsyncEnumerable<string> Tenants(int count, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (int i = 0; i < count; i++)
        {
            await Task.Yield();
            cancellationToken.ThrowIfCancellationRequested();
            yield return Tenant.Value;
        }
    }
}
