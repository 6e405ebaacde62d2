using Wool.Tests.Serialization;

namespace Wool.Tests.Integration.Security;

internal static class SecurityRoutines
{
    /// <summary>Runs until <paramref name="path"/> exists (the test creates it), then returns the worker's process id.</summary>
    [Routine]
    public static async Task<int> WaitForFile(string path)
    {
        while (!File.Exists(path))
        {
            await Task.Delay(50);
        }

        return Environment.ProcessId;
    }

    /// <summary>Returns the full name of the type the worker rebuilt from the payload, and a list's count.</summary>
    [Routine]
    public static async Task<string> Describe(object value, List<AllowedOrder> orders)
    {
        await Task.Yield();
        return $"{value.GetType().FullName} {orders.Count}";
    }

    /// <summary>Returns a framework type outside the vetted set (the worker builds it; a caller must not rebuild it unlisted).</summary>
    [Routine]
    public static async Task<object> MakeList()
    {
        await Task.Yield();
        return new System.Collections.ArrayList { 1, 2 };
    }
}

/// <summary>A type in the namespace the allow-list test permits.</summary>
internal sealed record AllowedOrder(int Id, Priority Priority);
