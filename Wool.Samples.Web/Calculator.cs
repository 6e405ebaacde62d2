using Wool;

namespace Wool.Samples.Web;

/// <summary>Routines the web app's handlers call; each runs on a worker of the application's pool.</summary>
public static class Calculator
{
    [Routine]
    public static async Task<int> Add(int x, int y)
    {
        await Task.Yield();
        return x + y;
    }

    [Routine]
    public static async IAsyncEnumerable<long> Squares(int count)
    {
        for (long i = 1; i <= count; i++)
        {
            await Task.Yield();
            yield return i * i;
        }
    }

    [Routine]
    public static async Task<int> ProcessId()
    {
        await Task.Yield();
        return Environment.ProcessId;
    }
}

/// <summary>Which process handled a request, and which ran its routine.</summary>
public sealed record Placement(int App, int Worker);
