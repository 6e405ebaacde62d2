using Wool;

#if OPTIMIZED
namespace Wool.Tests.Fixtures.Optimized;
#else
namespace Wool.Tests.Fixtures;
#endif

/// <summary>Static routines: every visibility and every return type.</summary>
public static class StaticShapes
{
    [Routine]
    public static async Task<int> PublicAdd(int x, int y)
    {
        await Task.Yield();
        return x + y;
    }

    [Routine]
    internal static async Task<int> InternalAdd(int x, int y)
    {
        await Task.Yield();
        return x + y;
    }

    [Routine]
    private static async Task<int> PrivateAdd(int x, int y)
    {
        await Task.Yield();
        return x + y;
    }

    /// <summary>A routine that calls another: on a worker, a nested call to one of its peers.</summary>
    [Routine]
    public static async Task<int> NestedAdd(int x, int y) => await PublicAdd(x, y);

    /// <summary>The process that runs it.</summary>
    [Routine]
    public static async Task<int> ProcessId()
    {
        await Task.Yield();
        return Environment.ProcessId;
    }

    /// <summary>Where it runs, and where the nested call it makes runs.</summary>
    [Routine]
    public static async Task<int[]> ProcessIdsNested() => [Environment.ProcessId, await ProcessId()];

    public static Task<int> CallInternalAdd(int x, int y) => InternalAdd(x, y);

    public static Task<int> CallPrivateAdd(int x, int y) => PrivateAdd(x, y);

    /// <summary>Returns Task: completes, or throws when asked to, so the caller can observe it ran.</summary>
    [Routine]
    public static async Task Check(int value)
    {
        await Task.Yield();
        if (value < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "Value must not be negative.");
        }
    }

    [Routine]
    public static async ValueTask<string> Greet(string name)
    {
        await Task.Yield();
        return $"Hello, {name}!";
    }

    [Routine]
    public static async ValueTask CheckValueTask(int value)
    {
        await Task.Yield();
        if (value < 0)
        {
            throw new InvalidOperationException($"Negative: {value}");
        }
    }

    [Routine]
    public static async IAsyncEnumerable<int> Range(int start, int count)
    {
        for (int i = 0; i < count; i++)
        {
            await Task.Yield();
            yield return start + i;
        }
    }

    [Routine]
    public static async Task<long> Widen(byte b, short s, long l, double d, decimal m, char c)
    {
        await Task.Yield();
        return b + s + l + (long)d + (long)m + c;
    }
}

/// <summary>Instance routines on a class: they run against a copy of <c>this</c>.</summary>
public sealed class Counter
{
    public int Start { get; set; }

    public List<string> Log { get; set; } = [];

    [Routine]
    public async Task<int> AddTo(int x)
    {
        await Task.Yield();
        Log.Add($"added {x}");
        return Start + x;
    }

    [Routine]
    private async Task<int> PrivateAddTo(int x)
    {
        await Task.Yield();
        return Start + x;
    }

    public Task<int> CallPrivateAddTo(int x) => PrivateAddTo(x);
}

/// <summary>An instance routine on a struct: the boxed copy of <c>this</c> travels.</summary>
public struct Point
{
    public int X;
    public int Y;

    [Routine]
    public readonly async Task<int> DistanceSquaredTo(Point other)
    {
        await Task.Yield();
        int dx = X - other.X, dy = Y - other.Y;
        return dx * dx + dy * dy;
    }
}

public static class Outer
{
    public static class Nested
    {
        [Routine]
        public static async Task<string> Describe(int level)
        {
            await Task.Yield();
            return $"nested {level}";
        }
    }

    private sealed class PrivateNested
    {
        public string Prefix { get; init; } = "";

        [Routine]
        public async Task<string> Describe(int level)
        {
            await Task.Yield();
            return $"{Prefix} {level}";
        }
    }

    public static Task<string> CallPrivateNested(string prefix, int level) => new PrivateNested { Prefix = prefix }.Describe(level);
}
