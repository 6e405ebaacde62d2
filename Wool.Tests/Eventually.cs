namespace Wool.Tests;

/// <summary>Waits for a condition another thread makes true, polling, within <see cref="Timeouts.Default"/>.</summary>
internal static class Eventually
{
    public static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(Timeouts.Default);
        while (!condition())
        {
            await Task.Delay(10, timeout.Token);
        }
    }
}
