using Wool;

#if OPTIMIZED
namespace Wool.Tests.Fixtures.Optimized;
#else
namespace Wool.Tests.Fixtures;
#endif

/// <summary>Async local functions and lambdas: the closure they capture travels as their target.</summary>
public static class ClosureShapes
{
    public static async Task<int> LocalFunctionCapturingLocals(int x)
    {
        int offset = 10;
        string label = "sum";

        [Routine]
        async Task<string> AddOffset(int y)
        {
            await Task.Yield();
            return $"{label}={y + offset}";
        }

        string result = await AddOffset(x);
        return int.Parse(result["sum=".Length..]);
    }

    public static async Task<int> StaticLocalFunction(int x)
    {
        [Routine]
        static async Task<int> Twice(int y)
        {
            await Task.Yield();
            return y * 2;
        }

        return await Twice(x);
    }

    public static async Task<int> LambdaCapturingLocals(int x)
    {
        int offset = 5;
        Func<int, Task<int>> add = [Routine] async (int y) =>
        {
            await Task.Yield();
            return y + offset;
        };
        return await add(x);
    }

    public static async Task<int> LambdaCapturingNothing(int x)
    {
        Func<int, Task<int>> increment = [Routine] async (int y) =>
        {
            await Task.Yield();
            return y + 1;
        };
        return await increment(x);
    }

    public static async Task<int[]> StreamingLocalFunction(int count)
    {
        int step = 3;

        [Routine]
        async IAsyncEnumerable<int> Multiples()
        {
            for (int i = 1; i <= count; i++)
            {
                await Task.Yield();
                yield return i * step;
            }
        }

        var items = new List<int>();
        await foreach (int item in Multiples())
        {
            items.Add(item);
        }

        return [.. items];
    }

    /// <summary>
    /// The routine mutates its copy of a captured list; the caller's list must be unchanged
    /// (closures are copies). Returns (count seen by the routine, count the caller sees after).
    /// </summary>
    public static async Task<(int InRoutine, int InCaller)> MutationDoesNotFlowBack()
    {
        var items = new List<int> { 1, 2, 3 };

        [Routine]
        async Task<int> AddAndCount()
        {
            await Task.Yield();
            items.Add(4);
            return items.Count;
        }

        int inRoutine = await AddAndCount();
        return (inRoutine, items.Count);
    }
}

/// <summary>A class whose lambda captures only <c>this</c>: the lambda is an instance method of the class itself.</summary>
public sealed class Multiplier
{
    public int Factor { get; set; }

    public async Task<int> LambdaCapturingThis(int x)
    {
        Func<int, Task<int>> multiply = [Routine] async (int y) =>
        {
            await Task.Yield();
            return y * Factor;
        };
        return await multiply(x);
    }
}
