namespace Wool.Tests.Integration.Discovery;

internal static class DiscoveryRoutines
{
    [Routine]
    public static async Task<int> Where()
    {
        await Task.Yield();
        return Environment.ProcessId;
    }

    /// <summary>Holds a call in flight for <paramref name="milliseconds"/>, then says where it ran.</summary>
    [Routine]
    public static async Task<int> Hold(int milliseconds)
    {
        await Task.Delay(milliseconds);
        return Environment.ProcessId;
    }

    /// <summary>Returns every process that computed a part: nested calls from a discovered worker go to peers it discovered itself.</summary>
    [Routine]
    public static async Task<int[]> Spread(int depth)
    {
        if (depth == 0)
        {
            return [Environment.ProcessId];
        }

        var parts = await Task.WhenAll(Spread(depth - 1), Spread(depth - 1));
        return [Environment.ProcessId, .. parts[0], .. parts[1]];
    }
}
