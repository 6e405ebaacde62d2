using Newtonsoft.Json;
using Wool;

namespace Wool.Benchmarks.Application;

/// <summary>Routines of an application that a generic worker runs with shipped code.</summary>
public static class ShippedApplication
{
    [Routine]
    public static async Task<int> Add(int x, int y)
    {
        await Task.CompletedTask;
        return x + y;
    }

    /// <summary>Uses the package, so that the worker needs it.</summary>
    [Routine]
    public static async Task<string> ToJson(int[] values)
    {
        await Task.CompletedTask;
        return JsonConvert.SerializeObject(values);
    }
}
